"""Synthetic input data: what the kiosk's weather station and till would export each day."""

from __future__ import annotations

import datetime
import hashlib
import math
import random

import headwater as dg
from lakeside_location.resources import LakesideFiles

KIOSKS = ("north-beach", "jetty", "boathouse")
FLAVOURS = ("vanilla", "strawberry", "pistachio", "lemon")


class SyntheticDataConfig(dg.Config):
    """How much data to generate; the same seed always gives the same files."""

    start_date: str = "2024-06-01"
    days: int = 30
    seed: int = 7


@dg.multi_asset(
    specs=[
        dg.AssetSpec("raw_weather", group_name="raw", kinds={"csv"}),
        dg.AssetSpec("raw_sales", group_name="raw", kinds={"csv"}),
    ],
    description="Write a month of weather readings and till exports as CSV files.",
)
def raw_files(context: dg.AssetExecutionContext, config: SyntheticDataConfig, files: LakesideFiles):
    rng = random.Random(config.seed)
    start = datetime.date.fromisoformat(config.start_date)
    weather_rows, sales_rows = [], []
    for offset in range(config.days):
        day = start + datetime.timedelta(days=offset)
        # A warm spell mid-month, plus noise: enough shape for the analysis to find.
        temperature = 19 + 6 * math.sin(offset / config.days * math.pi) + rng.gauss(0, 2)
        rain_mm = max(0.0, rng.gauss(1.5, 3))
        weather_rows.append([day.isoformat(), round(temperature, 1), round(rain_mm, 1)])
        for kiosk in KIOSKS:
            for flavour in FLAVOURS:
                cones = max(0, int(rng.gauss(temperature * 1.8 - rain_mm * 2, 6)))
                sales_rows.append([day.isoformat(), kiosk, flavour, cones, round(cones * 2.5, 2)])
    weather = files.write_rows("weather", ["date", "temperature_c", "rain_mm"], weather_rows)
    sales = files.write_rows("sales", ["date", "kiosk", "flavour", "cones", "amount"], sales_rows)
    context.log.info("Wrote %d days of data under %s", config.days, files.root())
    yield dg.MaterializeResult(
        asset_key="raw_weather", metadata={"path": str(weather), "rows": len(weather_rows)}
    )
    yield dg.MaterializeResult(
        asset_key="raw_sales", metadata={"path": str(sales), "rows": len(sales_rows)}
    )


@dg.observable_source_asset(group_name="raw", description="The lake level gauge's export file.")
def lake_level_gauge(files: LakesideFiles) -> dg.DataVersion:
    """Observe the gauge export: its content hash is its data version."""
    return dg.DataVersion(hashlib.sha256(files.gauge_export().read_bytes()).hexdigest()[:16])
