"""Built-in plugin: the in-memory IO manager, registered as ``"memory"``."""

from __future__ import annotations

from typing import Any

from headwater.hookspecs import hookimpl
from headwater.io._fs_layout import context_parts, partition_parts
from headwater.io._manager import IOManager, io_manager


class InMemoryIOManager(IOManager):
    """Keeps values in a dict for the life of the object: for tests and single-process runs."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: Any, obj: Any) -> None:
        """Keep ``obj`` under the identifier of ``context``."""
        self.values[tuple(context_parts(context))] = obj

    def load_input(self, context: Any) -> Any:
        """Return the kept value; a partition range gives ``{partition: value}``."""
        if context.has_asset_key and context.has_asset_partitions and not context.has_partition_key:
            allow_missing = bool(context.definition_metadata.get("allow_missing_partitions"))
            values = {}
            for key in context.asset_partition_keys:
                ident = (*context.asset_key.parts, *partition_parts(key))
                if allow_missing and ident not in self.values:
                    continue
                values[key] = self._get(context, ident)
            return values
        return self._get(context, tuple(context_parts(context)))

    def _get(self, context: Any, ident: tuple[str, ...]) -> Any:
        try:
            return self.values[ident]
        except KeyError:
            subject = (
                f"asset key {context.asset_key.to_user_string()!r}"
                if context.has_asset_key
                else f"output {'/'.join(ident)!r}"
            )
            raise KeyError(
                f"No value in memory for {subject} (identifier {'/'.join(ident)}): was it "
                "materialized in this process? In-memory values do not outlive the IO manager."
            ) from None


@io_manager
def mem_io_manager(_init_context: Any) -> InMemoryIOManager:
    """An IO manager definition whose value is a fresh `InMemoryIOManager`."""
    return InMemoryIOManager()


@hookimpl(trylast=True)
def register_io_managers() -> dict[str, Any]:
    """Offer the in-memory IO manager as ``"memory"``."""
    return {"memory": mem_io_manager}
