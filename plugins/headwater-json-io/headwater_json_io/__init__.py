"""A headwater IO manager that stores each asset value as a JSON file."""

from headwater_json_io.plugin import JsonIOManager

__all__ = ["JsonIOManager"]
