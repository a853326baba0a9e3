"""`OutputContext` and `InputContext`: what an IO manager is told about each value."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from headwater.definitions.keys import AssetKey
from headwater.errors import InvariantViolationError

_LOG = logging.getLogger("headwater.io")


def _as_resources(resources: Any) -> Any:
    from headwater.resources._build import Resources

    if resources is None:
        return Resources({})
    if isinstance(resources, Mapping) and not isinstance(resources, Resources):
        return Resources(resources)
    return resources


class _PartitionsMixin:
    """Partition properties shared by both contexts."""

    asset_key: AssetKey | None
    _partition_key: str | None
    _partition_keys: Sequence[str] | None
    _partition_key_range: Any
    _partitions_def: Any
    _what: str

    @property
    def has_asset_key(self) -> bool:
        """Whether the value belongs to an asset."""
        return self.asset_key is not None

    def _require_asset_key(self) -> AssetKey:
        if self.asset_key is None:
            raise InvariantViolationError(
                f"{self._what} has no asset key: it is an op output, not an asset. Check "
                "has_asset_key first, or use get_identifier()."
            )
        return self.asset_key

    @property
    def has_asset_partitions(self) -> bool:
        """Whether the value is addressed by one or more partition keys."""
        return (
            self._partition_key is not None
            or bool(self._partition_keys)
            or self._partition_key_range is not None
        )

    @property
    def has_partition_key(self) -> bool:
        """Whether exactly one partition key addresses the value."""
        return self._partition_key is not None or (
            self._partition_keys is not None and len(self._partition_keys) == 1
        )

    @property
    def partition_key(self) -> str:
        """The single partition key; raises if the value is unpartitioned or a range."""
        if self._partition_key is not None:
            return self._partition_key
        if self._partition_keys is not None and len(self._partition_keys) == 1:
            return self._partition_keys[0]
        raise InvariantViolationError(
            f"{self._what} has no single partition key "
            f"({'a partition range' if self.has_asset_partitions else 'not partitioned'}); "
            "use asset_partition_keys for ranges."
        )

    asset_partition_key = partition_key

    @property
    def asset_partitions_def(self) -> Any:
        """The partitions definition of the asset, when the engine supplied one."""
        return self._partitions_def

    @property
    def asset_partition_keys(self) -> list[str]:
        """Every partition key addressed, in order; empty when unpartitioned."""
        if self._partition_keys is not None:
            return list(self._partition_keys)
        if self._partition_key is not None:
            return [self._partition_key]
        if self._partition_key_range is not None:
            if self._partitions_def is None:
                raise InvariantViolationError(
                    f"{self._what} has a partition range but no partitions definition to "
                    "expand it into keys."
                )
            return list(self._partitions_def.get_partition_keys_in_range(self._partition_key_range))
        return []

    @property
    def asset_partition_key_range(self) -> Any:
        """The `PartitionKeyRange` addressed (a single key is a one-key range)."""
        if self._partition_key_range is not None:
            return self._partition_key_range
        keys = self.asset_partition_keys
        if not keys:
            raise InvariantViolationError(f"{self._what} is not partitioned")
        import headwater

        return headwater.PartitionKeyRange(keys[0], keys[-1])

    @property
    def asset_partitions_time_window(self) -> Any:
        """The time window spanned by the addressed partitions (time-partitioned assets)."""
        definition = self._partitions_def
        window_for = getattr(definition, "time_window_for_partition_key", None)
        if window_for is None:
            raise InvariantViolationError(
                f"{self._what} is not partitioned by time, so it has no time window"
            )
        keys = self.asset_partition_keys
        if not keys:
            raise InvariantViolationError(f"{self._what} is not partitioned")
        first, last = window_for(keys[0]), window_for(keys[-1])
        if len(keys) == 1:
            return first
        return type(first)(first.start, last.end)

    def get_asset_identifier(self) -> list[str]:
        """The asset key's parts, plus the partition key when there is exactly one."""
        key = self._require_asset_key()
        if self.has_asset_partitions:
            return [*key.parts, str(self.partition_key)]
        return list(key.parts)


class OutputContext(_PartitionsMixin):
    """Everything an IO manager's ``handle_output`` knows about the value it stores.

    The engine builds these; tests use `build_output_context`. Every argument is optional.
    """

    def __init__(
        self,
        *,
        step_key: str | None = None,
        name: str | None = None,
        run_id: str | None = None,
        asset_key: Any = None,
        partition_key: str | None = None,
        asset_partition_keys: Sequence[str] | None = None,
        asset_partition_key_range: Any = None,
        partitions_def: Any = None,
        metadata: Mapping[str, Any] | None = None,
        definition_metadata: Mapping[str, Any] | None = None,
        mapping_key: str | None = None,
        config: Any = None,
        resource_config: Any = None,
        resources: Any = None,
        log: Any = None,
        dagster_type: Any = None,
        version: str | None = None,
        op_def: Any = None,
        asset_spec: Any = None,
    ):
        self.step_key = step_key
        self.name = name
        self.run_id = run_id
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self._partition_key = partition_key
        self._partition_keys = list(asset_partition_keys) if asset_partition_keys else None
        self._partition_key_range = asset_partition_key_range
        self._partitions_def = partitions_def
        self.definition_metadata = dict(definition_metadata or metadata or {})
        self.metadata = dict(metadata or self.definition_metadata)
        self.mapping_key = mapping_key
        self.config = config
        self.resource_config = resource_config
        self.resources = _as_resources(resources)
        self.log = log if log is not None else _LOG
        self.dagster_type = dagster_type
        self.version = version
        self.op_def = op_def
        self.asset_spec = asset_spec
        self._logged_metadata: dict[str, Any] = {}
        label = self.asset_key.to_user_string() if self.asset_key else f"{step_key}.{name}"
        self._what = f"the output for {label}"

    def get_identifier(self) -> list[str]:
        """``[run_id, step_key, name]`` (plus the mapping key): where an op output lives."""
        missing = [
            label
            for label, value in (
                ("run_id", self.run_id),
                ("step_key", self.step_key),
                ("name", self.name),
            )
            if value is None
        ]
        if missing:
            raise InvariantViolationError(
                f"{self._what}: get_identifier() needs {', '.join(missing)}; pass them to "
                "build_output_context"
            )
        parts = [str(self.run_id), str(self.step_key), str(self.name)]
        if self.mapping_key:
            parts.append(self.mapping_key)
        return parts

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to the materialization (or output event) of this value."""
        overlap = set(metadata) & set(self._logged_metadata)
        if overlap:
            raise InvariantViolationError(
                f"{self._what}: metadata key(s) {sorted(overlap)} were already added"
            )
        self._logged_metadata.update(metadata)

    def get_logged_metadata(self) -> dict[str, Any]:
        """Metadata added with `add_output_metadata`, without consuming it."""
        return dict(self._logged_metadata)

    def consume_logged_metadata(self) -> dict[str, Any]:
        """Return and clear metadata added with `add_output_metadata` (the engine calls this)."""
        out, self._logged_metadata = self._logged_metadata, {}
        return out


class InputContext(_PartitionsMixin):
    """Everything an IO manager's ``load_input`` knows about the value it loads.

    ``partition_key`` is the run's partition; ``asset_key`` and the ``asset_partition_*``
    arguments describe the upstream value being loaded (after any partition mapping). Without
    ``asset_partition_keys`` or ``asset_partition_key_range``, ``partition_key`` also names the
    upstream partition. The engine builds these; tests use `build_input_context`.
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        step_key: str | None = None,
        run_id: str | None = None,
        asset_key: Any = None,
        partition_key: str | None = None,
        asset_partition_keys: Sequence[str] | None = None,
        asset_partition_key_range: Any = None,
        partitions_def: Any = None,
        upstream_output: OutputContext | None = None,
        metadata: Mapping[str, Any] | None = None,
        definition_metadata: Mapping[str, Any] | None = None,
        config: Any = None,
        resource_config: Any = None,
        resources: Any = None,
        log: Any = None,
        dagster_type: Any = None,
        op_def: Any = None,
    ):
        self.name = name
        self.step_key = step_key
        self.run_id = run_id
        if asset_key is None and upstream_output is not None:
            asset_key = upstream_output.asset_key
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self._run_partition_key = partition_key
        asset_side_given = asset_partition_keys is not None or asset_partition_key_range is not None
        self._partition_key = None if asset_side_given else partition_key
        self._partition_keys = list(asset_partition_keys) if asset_partition_keys else None
        self._partition_key_range = asset_partition_key_range
        self._partitions_def = partitions_def
        self.upstream_output = upstream_output
        self.definition_metadata = dict(definition_metadata or metadata or {})
        self.metadata = dict(metadata or self.definition_metadata)
        self.config = config
        self.resource_config = resource_config
        self.resources = _as_resources(resources)
        self.log = log if log is not None else _LOG
        self.dagster_type = dagster_type
        self.op_def = op_def
        self._logged_metadata: dict[str, Any] = {}
        label = self.asset_key.to_user_string() if self.asset_key else f"input {name}"
        self._what = f"the input for {label}"

    @property
    def has_partition_key(self) -> bool:
        """Whether one partition key addresses the load: a single upstream partition, or an
        unpartitioned upstream read in a single-partition run.

        False when several upstream partitions are loaded, even in a single-partition run.
        """
        count = len(self.asset_partition_keys)
        return count == 1 or (count == 0 and self._run_partition_key is not None)

    @property
    def partition_key(self) -> str:
        """The run's partition key (else the single upstream partition loaded).

        The upstream partitions loaded are ``asset_partition_keys``: with a partition mapping
        they may differ from the run's.
        """
        if self._run_partition_key is not None:
            return self._run_partition_key
        return self.asset_partition_key

    @property
    def asset_partition_key(self) -> str:
        """The single upstream partition loaded; raises for none or several."""
        keys = self.asset_partition_keys
        if len(keys) != 1:
            raise InvariantViolationError(
                f"{self._what} has no single partition key "
                f"({'a partition range' if keys else 'not partitioned'}); "
                "use asset_partition_keys for ranges."
            )
        return keys[0]

    def get_asset_identifier(self) -> list[str]:
        """The asset key's parts, plus the upstream partition key when there is exactly one."""
        key = self._require_asset_key()
        if self.has_asset_partitions:
            return [*key.parts, str(self.asset_partition_key)]
        return list(key.parts)

    def get_identifier(self) -> list[str]:
        """The identifier of the upstream output being loaded (``[run_id, step_key, name]``)."""
        if self.upstream_output is None:
            raise InvariantViolationError(
                f"{self._what}: get_identifier() needs upstream_output; pass an OutputContext "
                "as upstream_output to build_input_context"
            )
        return self.upstream_output.get_identifier()

    def add_input_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Attach metadata to the event recording that this input was loaded."""
        self._logged_metadata.update(metadata)

    def consume_logged_metadata(self) -> dict[str, Any]:
        """Return and clear metadata added with `add_input_metadata` (the engine calls this)."""
        out, self._logged_metadata = self._logged_metadata, {}
        return out


def build_output_context(**kwargs: Any) -> OutputContext:
    """Build an `OutputContext` to call an IO manager's ``handle_output`` in a test.

    Accepts the same keyword arguments as `OutputContext`. ``resources`` is a mapping of
    ready-to-use values (initialise class resources with `build_resources` first).
    """
    return OutputContext(**kwargs)


def build_input_context(**kwargs: Any) -> InputContext:
    """Build an `InputContext` to call an IO manager's ``load_input`` in a test.

    Accepts the same keyword arguments as `InputContext`.
    """
    return InputContext(**kwargs)
