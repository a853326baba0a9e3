"""Discovery of installed code locations through the ``headwater.locations`` entry points."""

from __future__ import annotations

from headwater.locations.specs import MODULE, LocationSpec

#: The entry-point group installed code locations announce themselves in.
ENTRY_POINT_GROUP = "headwater.locations"


def entry_point_specs(*, path: list[str] | None = None) -> list[LocationSpec]:
    """Return one `LocationSpec` per ``headwater.locations`` entry point, sorted by name.

    Nothing is imported: the specs only record what to import later.

    Args:
        path: directories to search for distributions instead of ``sys.path``.

    A malformed value is not rejected here: importing it fails later and is reported as that
    location's error, so one bad distribution cannot hide the others.
    """
    import importlib_metadata

    if path is None:
        entry_points = importlib_metadata.entry_points(group=ENTRY_POINT_GROUP)
    else:
        entry_points = (
            ep
            for dist in importlib_metadata.distributions(path=path)
            for ep in dist.entry_points.select(group=ENTRY_POINT_GROUP)
        )
    specs = [_spec_from_entry_point(ep) for ep in entry_points]
    return sorted(specs, key=lambda spec: spec.name)


def _spec_from_entry_point(entry_point) -> LocationSpec:
    from headwater._plugins import distribution_name_version

    dist = entry_point.dist
    provider = (
        " ".join(distribution_name_version(dist)) if dist is not None else "an unknown distribution"
    )
    return LocationSpec(
        name=entry_point.name,
        kind=MODULE,
        target=entry_point.module,
        attribute=entry_point.attr,
        origin=f"entry point {entry_point.name!r} in {provider}",
    )
