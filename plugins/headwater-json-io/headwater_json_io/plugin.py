"""The plugin module: `JsonIOManager`, offered to headwater under the name ``"json"``."""

from __future__ import annotations

import json
from typing import Any

import headwater as dg
from headwater.hookspecs import hookimpl
from headwater.io import atomic_write, path_for


class JsonIOManager(dg.ConfigurableIOManager):
    """Stores each value as ``<base_dir>/<asset key parts>[/<partition>].json``.

    Values must be JSON-serialisable; a value that is not leaves the previous file in place.
    """

    base_dir: str
    indent: int | None = None

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        path = path_for(self.base_dir, context).with_suffix(".json")
        # Serialise fully before touching the disk, so a bad value fails without side effects.
        data = json.dumps(obj, indent=self.indent).encode("utf-8")
        context.log.debug(f"Writing file at: {path}")
        atomic_write(path, lambda handle: handle.write(data))

    def load_input(self, context: dg.InputContext) -> Any:
        if context.has_asset_key and context.has_asset_partitions and not context.has_partition_key:
            allow_missing = bool(context.definition_metadata.get("allow_missing_partitions"))
            values = {}
            for key in context.asset_partition_keys:
                path = path_for(self.base_dir, context, key).with_suffix(".json")
                if allow_missing and not path.exists():
                    continue
                values[key] = self._read(context, path)
            return values
        return self._read(context, path_for(self.base_dir, context).with_suffix(".json"))

    def _read(self, context: Any, path: Any) -> Any:
        context.log.debug(f"Loading file from: {path}")
        try:
            return json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            subject = context.asset_key.to_user_string() if context.has_asset_key else "output"
            raise FileNotFoundError(
                f"No JSON value for asset key {subject!r} at {path}: was it materialized?"
            ) from None


@hookimpl
def register_io_managers() -> dict[str, Any]:
    """Offer `JsonIOManager` as ``"json"``."""
    return {"json": JsonIOManager}
