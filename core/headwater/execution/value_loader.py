"""`AssetValueLoader`: read stored asset values through their IO managers, outside any run."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from headwater.definitions.keys import AssetKey, CoercibleToAssetKey
from headwater.errors import InvalidInvocationError
from headwater.io._contexts import InputContext, OutputContext

# What the upstream output context reports as its run: the value is read outside any run.
EPHEMERAL_RUN_ID = "__EPHEMERAL_RUN_ID"

_LOG = logging.getLogger("headwater.value_loader")


class AssetValueLoader:
    """Loads asset values as Python objects, each through the IO manager that stores it.

    Get one from `Definitions.get_asset_value_loader` and use it as a context manager. The
    resources an IO manager needs are initialised on its first load and reused by later
    loads; they are torn down when the ``with`` block exits.
    """

    def __init__(self, definitions: Any, instance: Any = None):
        self._definitions = definitions
        self._instance = instance
        self._owned_instance: Any = None
        self._stack = contextlib.ExitStack()
        self._io_managers: dict[str, tuple[Any, Any]] = {}

    def __enter__(self) -> AssetValueLoader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Tear down the resources initialised so far (the ``with`` block does this)."""
        self._stack.close()
        self._io_managers.clear()
        if self._owned_instance is not None:
            self._owned_instance.dispose()
            self._owned_instance = None

    def load_asset_value(
        self,
        asset_key: CoercibleToAssetKey,
        *,
        python_type: type | None = None,
        partition_key: str | None = None,
        partition_key_range: Any = None,
        input_definition_metadata: Mapping[str, Any] | None = None,
        resource_config: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Any:
        """The stored value of ``asset_key``, from its IO manager's ``load_input``.

        Args:
            asset_key: the asset to load.
            python_type: the type to load it as (the input context's ``dagster_type``).
            partition_key: the partition to load, for a partitioned asset.
            partition_key_range: a range of partitions to load at once instead.
            input_definition_metadata: metadata the IO manager sees as the input's.
            resource_config: ``{resource_key: {"config": ...}}`` for the IO manager and the
                resources it needs, used when they are first initialised by this loader.
            metadata: same as ``input_definition_metadata``.

        Raises:
            InvalidDefinitionError: no asset has the key, or its IO manager is not provided.
            InvalidInvocationError: both a partition key and a range were given.
            UnknownPartitionError: the partition is not one of the asset's.
        """
        key = AssetKey.from_coercible(asset_key)
        assets_def = self._definitions.get_assets_def(key)
        io_manager_key = assets_def.io_manager_key_for_asset_key(key)
        io_manager, resources = self._io_manager(io_manager_key, assets_def, resource_config)
        partitions = self._partitions(assets_def, key, partition_key, partition_key_range)
        spec = assets_def.specs_by_key[key]
        upstream = OutputContext(
            name=assets_def.get_output_name_for_asset_key(key)
            if assets_def.is_executable
            else None,
            run_id=EPHEMERAL_RUN_ID,
            asset_key=key,
            definition_metadata=spec.metadata,
            resource_config=resource_config,
            resources=resources,
            log=_LOG,
            asset_spec=spec,
            **partitions,
        )
        context = InputContext(
            asset_key=key,
            upstream_output=upstream,
            definition_metadata=input_definition_metadata or metadata,
            resource_config=resource_config,
            resources=resources,
            log=_LOG,
            dagster_type=python_type,
            **partitions,
        )
        return io_manager.load_input(context)

    def _io_manager(
        self, key: str, assets_def: Any, resource_config: Mapping[str, Any] | None
    ) -> tuple[Any, Any]:
        """The IO manager at ``key`` and its resources, initialised on first use."""
        cached = self._io_managers.get(key)
        if cached is not None:
            return cached
        from headwater.execution.run import with_default_io_manager
        from headwater.resources import build_resources
        from headwater.resources._build import raise_for_missing_resources, with_dependencies

        instance = self._resolved_instance()
        available = with_default_io_manager(
            {**self._definitions.resources, **assets_def.resource_defs}, instance
        )
        label = ", ".join(k.to_user_string() for k in assets_def.keys)
        raise_for_missing_resources({label: [key]}, available, kind="asset")
        needed = with_dependencies(available, [key])
        config = {k: v for k, v in (resource_config or {}).items() if k in needed}
        resources = self._stack.enter_context(
            build_resources(needed, instance=instance, resource_config=config)
        )
        self._io_managers[key] = (resources[key], resources)
        return self._io_managers[key]

    def _resolved_instance(self) -> Any:
        if self._instance is None:
            from headwater.instance import Instance

            # Like a run without an instance argument: the one in HEADWATER_HOME (its
            # database is opened only if a resource uses it).
            self._instance = self._owned_instance = Instance.get()
        return self._instance

    def _partitions(
        self, assets_def: Any, key: AssetKey, partition_key: str | None, key_range: Any
    ) -> dict[str, Any]:
        """Partition arguments for both contexts (none when no partition is asked for)."""
        if partition_key is None and key_range is None:
            return {}
        if partition_key is not None and key_range is not None:
            raise InvalidInvocationError(
                f"load_asset_value({key.to_user_string()!r}): pass partition_key or "
                "partition_key_range, not both."
            )
        partitions_def = assets_def.partitions_def
        if partitions_def is None:
            # Passed through as given, like the reference: the IO manager decides.
            return {"partition_key": partition_key, "asset_partition_key_range": key_range}
        store = self._resolved_instance()
        if partition_key is not None:
            partitions_def.validate_partition_key(partition_key, dynamic_partitions_store=store)
            return {"partition_key": partition_key, "partitions_def": partitions_def}
        keys = partitions_def.get_partition_keys_in_range(key_range, dynamic_partitions_store=store)
        return {
            "asset_partition_keys": keys,
            "asset_partition_key_range": key_range,
            "partitions_def": partitions_def,
        }
