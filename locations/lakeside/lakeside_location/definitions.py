"""The lakeside location's `Definitions` (the ``lakeside`` entry point points here)."""

from __future__ import annotations

import headwater as dg
from lakeside_location import analysis, clean, raw
from lakeside_location.resources import LakesideFiles

defs = dg.Definitions(
    assets=[*dg.load_assets_from_modules([raw, clean, analysis])],
    asset_checks=[*dg.load_asset_checks_from_modules([clean])],
    resources={"files": LakesideFiles()},
    jobs=[
        dg.define_asset_job(
            "refresh_reports",
            selection=dg.AssetSelection.groups("clean", "reports")
            - dg.AssetSelection.assets("daily_revenue"),
            description="Rebuild the clean tables and the unpartitioned reports.",
        )
    ],
)
