"""Code locations: where definitions come from, and the loaders that collect them.

A code location is an importable Python module or package that provides a `Definitions`.
Installed locations announce themselves through the ``headwater.locations`` entry-point group;
the CLI can also point at a module, package or file directly. Loading goes through the
``register_code_locations`` / ``load_code_location`` hooks, so plugins can add other kinds.
"""

from headwater.locations.specs import LoadedLocation, LocationSpec

__all__ = ["LoadedLocation", "LocationSpec"]
