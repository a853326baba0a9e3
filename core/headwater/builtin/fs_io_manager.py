"""Built-in plugin: the pickling filesystem IO manager, registered as ``"fs"``."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from headwater.definitions.metadata import PathMetadataValue
from headwater.errors import InvalidConfigError
from headwater.hookspecs import hookimpl
from headwater.io._fs_layout import atomic_write, missing_value_error, path_for
from headwater.io._manager import ConfigurableIOManagerFactory, IOManager, io_manager


class PickledObjectFilesystemIOManager(IOManager):
    """Pickles each value to its own file under ``base_dir``, written atomically.

    Args:
        base_dir: the directory every file lives under.
        fsync: flush every file (and its directory entry) to disk before returning, for
            durability across power loss; writes are atomic either way.
    """

    def __init__(self, base_dir: str | Path, fsync: bool = False):
        self.base_dir = Path(base_dir)
        self.fsync = fsync

    def handle_output(self, context: Any, obj: Any) -> None:
        """Pickle ``obj`` to the file for ``context``, replacing any previous file atomically.

        The file's path is added to the output's metadata as ``path`` (unless ``obj`` is None).
        """
        if context.has_asset_key and context.has_asset_partitions and not context.has_partition_key:
            raise InvalidConfigError(
                f"{type(self).__name__} stores one partition per call; asset "
                f"{context.asset_key.to_user_string()!r} was given the partitions "
                f"{context.asset_partition_keys!r}. Return one value per partition."
            )
        path = path_for(self.base_dir, context)
        context.log.debug(f"Writing file at: {path} using {type(self).__name__}")
        atomic_write(
            path,
            lambda handle: pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL),
            fsync=self.fsync,
        )
        if obj is not None:
            # A None value is stored but not described, as in the reference.
            context.add_output_metadata({"path": PathMetadataValue(str(path))})

    def load_input(self, context: Any) -> Any:
        """Unpickle the value for ``context``; a partition range gives ``{partition: value}``."""
        if context.has_asset_key and context.has_asset_partitions and not context.has_partition_key:
            allow_missing = bool(context.definition_metadata.get("allow_missing_partitions"))
            values = {}
            for key in context.asset_partition_keys:
                path = path_for(self.base_dir, context, key)
                if allow_missing and not path.exists():
                    continue
                values[key] = self._load(context, path)
            return values
        return self._load(context, path_for(self.base_dir, context))

    def _load(self, context: Any, path: Path) -> Any:
        context.log.debug(f"Loading file from: {path} using {type(self).__name__}")
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            raise missing_value_error(context, path) from None


def _default_base_dir(context: Any) -> str:
    instance = getattr(context, "instance", None)
    if instance is None:
        raise InvalidConfigError(
            "fs IO manager: no base_dir was configured and there is no instance to take the "
            "storage directory from. Set base_dir (FilesystemIOManager(base_dir=...)) or run "
            "under an instance."
        )
    return str(instance.storage_directory())


class FilesystemIOManager(ConfigurableIOManagerFactory):
    """The default IO manager: pickles values to files under ``base_dir``.

    ``base_dir`` defaults to the instance's storage directory (``$HEADWATER_HOME/storage``).
    ``fsync=True`` makes every write durable across power loss (at the cost of disk flushes).
    """

    base_dir: str | None = None
    fsync: bool = False

    def create_io_manager(self, context: Any) -> PickledObjectFilesystemIOManager:
        """Build the pickling IO manager for ``base_dir``."""
        return PickledObjectFilesystemIOManager(
            self.base_dir or _default_base_dir(context), fsync=self.fsync
        )


@io_manager(config_schema={"base_dir": str | None, "fsync": bool | None})
def fs_io_manager(init_context: Any) -> PickledObjectFilesystemIOManager:
    """The default IO manager as a definition: config ``{"base_dir": "...", "fsync": bool}``.

    Both keys are optional.
    """
    config = init_context.resource_config or {}
    base_dir = config.get("base_dir") or _default_base_dir(init_context)
    return PickledObjectFilesystemIOManager(base_dir, fsync=bool(config.get("fsync")))


@hookimpl(trylast=True)
def register_io_managers() -> dict[str, Any]:
    """Offer the pickling filesystem IO manager as ``"fs"``."""
    return {"fs": fs_io_manager}
