"""What the CLI reports about loaded locations: counts, validation, asset and job documents."""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

import attrs

from headwater.locations.specs import LoadedLocation

if TYPE_CHECKING:
    from headwater.definitions.definitions import Definitions


def count_definitions(definitions: Definitions) -> dict[str, int]:
    """Numbers of assets, asset checks and jobs, without building the asset graph."""
    assets_defs = definitions._normalized_assets()
    return {
        "assets": sum(len(assets_def.keys) for assets_def in assets_defs),
        "asset_checks": sum(len(assets_def.check_keys) for assets_def in assets_defs),
        "jobs": len(definitions.jobs),
    }


def validate_location(location: LoadedLocation) -> LoadedLocation:
    """Resolve the asset graph and every job of a loaded location.

    Returns:
        ``location`` unchanged if it validates (or had already failed to load), otherwise a
        copy carrying the validation error and its traceback.
    """
    if not location.ok:
        return location
    try:
        location.definitions.resolve_asset_graph()
        location.definitions.resolve_all_job_defs()
    except Exception as exc:
        summary = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return attrs.evolve(location, error=summary, traceback=traceback.format_exc())
    return location


def asset_documents(location: LoadedLocation, select: str | None) -> list[dict[str, Any]]:
    """One JSON-ready document per asset of ``location`` (matching ``select``), sorted by key.

    Keys that assets depend on but no definition provides are not listed.
    """
    graph = location.definitions.resolve_asset_graph()
    if select is None:
        keys = graph.all_asset_keys - graph.unresolved_asset_keys
    else:
        from headwater.asset_graph.selection import AssetSelection

        keys = AssetSelection.from_string(select).resolve(graph, allow_missing=True)
    documents = []
    for key in sorted(keys):
        documents.append(
            {
                "key": key.to_user_string(),
                "path": list(key.path),
                "location": location.name,
                "group": graph.group_name(key),
                "kinds": sorted(graph.kinds(key)),
                "deps": sorted(parent.to_user_string() for parent in graph.parents(key)),
                "checks": sorted(check.name for check in graph.check_keys_for(key)),
                "description": graph.assets_def(key).specs_by_key[key].description,
                "materializable": graph.is_materializable(key),
                "observable": graph.is_observable(key),
                "external": graph.is_external(key),
                "partitioned": graph.partitions_def(key) is not None,
            }
        )
    return documents


def job_documents(location: LoadedLocation) -> list[dict[str, Any]]:
    """One JSON-ready document per job of ``location`` (the implicit asset job left out)."""
    documents = []
    for job in location.definitions.resolve_all_job_defs():
        if job.name.startswith("__"):
            continue
        documents.append(
            {
                "name": job.name,
                "location": location.name,
                "description": job.description,
                "assets": [key.to_user_string() for key in job.asset_keys],
                "checks": sorted(
                    f"{check.asset_key.to_user_string()}:{check.name}" for check in job.check_keys
                ),
                "partitioned": job.partitions_def is not None,
            }
        )
    return sorted(documents, key=lambda document: document["name"])
