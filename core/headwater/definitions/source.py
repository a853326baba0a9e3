"""`SourceAsset` (deprecated in favour of `AssetSpec`) and `@observable_source_asset`."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from headwater.definitions.assets import AssetsDefinition, external_assets_from_specs
from headwater.definitions.keys import AssetKey
from headwater.definitions.names import (
    DEFAULT_GROUP_NAME,
    check_valid_group_name,
    check_valid_key_components,
)
from headwater.definitions.ops import OpDefinition
from headwater.definitions.specs import IO_MANAGER_KEY_METADATA, AssetSpec
from headwater.errors import InvalidDefinitionError


class SourceAsset:
    """An asset headwater reads but does not produce. Deprecated: use `AssetSpec`.

    Args:
        key: the asset key.
        metadata: static metadata.
        io_manager_key: resource key of the IO manager that loads it.
        io_manager_def: an IO manager bound under a generated key.
        description: human-readable description.
        partitions_def: the partitions of the asset.
        group_name: the group (``"default"`` if omitted).
        resource_defs: resources bound to the asset.
        observe_fn: a function returning a `DataVersion` or `ObserveResult` (a
            `DataVersionsByPartition` when the asset is partitioned).
        op_tags: tags of the observation op.
        auto_observe_interval_minutes: how often the daemon observes the asset.
        automation_condition: when to observe automatically.
        tags: string tags.
    """

    __slots__ = (
        "_observe_op",
        "auto_observe_interval_minutes",
        "automation_condition",
        "description",
        "group_name",
        "io_manager_def",
        "io_manager_key",
        "key",
        "metadata",
        "observe_fn",
        "op_tags",
        "partitions_def",
        "resource_defs",
        "tags",
    )

    def __init__(
        self,
        key: Any,
        metadata: Mapping[str, Any] | None = None,
        io_manager_key: str | None = None,
        io_manager_def: Any = None,
        description: str | None = None,
        partitions_def: Any = None,
        group_name: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        observe_fn: Callable[..., Any] | None = None,
        op_tags: Mapping[str, Any] | None = None,
        *,
        auto_observe_interval_minutes: float | None = None,
        automation_condition: Any = None,
        tags: Mapping[str, str] | None = None,
        _warn: bool = True,
    ):
        if _warn:
            warnings.warn(
                "SourceAsset is deprecated and will be removed; use AssetSpec instead "
                "(AssetSpec(key).with_io_manager_key(...) replaces io_manager_key).",
                DeprecationWarning,
                stacklevel=2,
            )
        self.key = AssetKey.from_coercible(key)
        self.metadata = dict(metadata or {})
        if io_manager_def is not None:
            if io_manager_key is not None:
                raise InvalidDefinitionError(
                    f"SourceAsset {self.key.to_user_string()} got both io_manager_key and "
                    "io_manager_def; pass one."
                )
            io_manager_key = f"{self.key.to_python_identifier()}__io_manager"
            resource_defs = {**(resource_defs or {}), io_manager_key: io_manager_def}
        self.io_manager_key = io_manager_key
        self.io_manager_def = io_manager_def
        self.description = description
        self.partitions_def = partitions_def
        self.group_name = check_valid_group_name(group_name) or DEFAULT_GROUP_NAME
        self.resource_defs = dict(resource_defs or {})
        self.observe_fn = observe_fn
        self.op_tags = dict(op_tags or {})
        self.auto_observe_interval_minutes = auto_observe_interval_minutes
        self.automation_condition = automation_condition
        self.tags = dict(tags or {})
        self._observe_op: OpDefinition | None = None

    @classmethod
    def _internal(cls, **kwargs: Any) -> SourceAsset:
        """Build without the deprecation warning (for headwater's own conversions)."""
        return cls(**kwargs, _warn=False)

    def __repr__(self) -> str:
        return f"SourceAsset(key={self.key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceAsset):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in self.__slots__[1:])

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return {slot: getattr(self, slot) for slot in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for slot, value in state.items():
            setattr(self, slot, value)

    @property
    def is_observable(self) -> bool:
        """Whether the asset has an observation function."""
        return self.observe_fn is not None

    @property
    def op(self) -> OpDefinition:
        """The op wrapping the observation function.

        Raises:
            InvalidDefinitionError: the asset has no observation function.
        """
        if self.observe_fn is None:
            raise InvalidDefinitionError(
                f"SourceAsset {self.key.to_user_string()} has no observe_fn, so it has no op; "
                "build it with @observable_source_asset to make it observable."
            )
        if self._observe_op is None:
            self._observe_op = OpDefinition(
                self.observe_fn, self.key.to_python_identifier(), tags=self.op_tags
            )
        return self._observe_op

    def to_spec(self) -> AssetSpec:
        """The `AssetSpec` describing this source asset."""
        metadata = dict(self.metadata)
        if self.io_manager_key is not None:
            metadata[IO_MANAGER_KEY_METADATA] = self.io_manager_key
        return AssetSpec(
            self.key,
            description=self.description,
            metadata=metadata,
            group_name=self.group_name,
            partitions_def=self.partitions_def,
            automation_condition=self.automation_condition,
            tags=self.tags,
        )

    def to_assets_def(self) -> AssetsDefinition:
        """An external `AssetsDefinition` (observable if there is an observation function)."""
        assets_def = external_assets_from_specs(
            [self.to_spec()], observe_op=self.op if self.observe_fn is not None else None
        )
        return assets_def.with_resources(self.resource_defs) if self.resource_defs else assets_def


def observable_source_asset(
    observe_fn: Callable[..., Any] | None = None,
    *,
    key: Any = None,
    name: str | None = None,
    key_prefix: str | Sequence[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    io_manager_key: str | None = None,
    io_manager_def: Any = None,
    description: str | None = None,
    group_name: str | None = None,
    required_resource_keys: set[str] | None = None,
    resource_defs: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    auto_observe_interval_minutes: float | None = None,
    automation_condition: Any = None,
    op_tags: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> Any:
    """Define a `SourceAsset` whose function observes it (returns a `DataVersion` or
    `ObserveResult`, or a `DataVersionsByPartition` when partitioned); usable bare or called.

    Raises:
        InvalidDefinitionError: key given with name or key_prefix, or an invalid name.
    """
    if key is not None and (name is not None or key_prefix):
        raise InvalidDefinitionError(
            "Cannot specify a name or key prefix for @observable_source_asset when the key "
            "argument is provided."
        )

    def decorate(fn: Callable[..., Any]) -> SourceAsset:
        if key is not None:
            asset_key = AssetKey.from_coercible(key)
        else:
            prefix = (key_prefix,) if isinstance(key_prefix, str) else tuple(key_prefix or ())
            asset_key = AssetKey((*prefix, name or fn.__name__))
        check_valid_key_components(asset_key.parts)
        source = SourceAsset._internal(
            key=asset_key,
            metadata=metadata,
            io_manager_key=io_manager_key,
            io_manager_def=io_manager_def,
            description=description or (inspect.cleandoc(fn.__doc__) if fn.__doc__ else None),
            partitions_def=partitions_def,
            group_name=group_name,
            resource_defs=resource_defs,
            observe_fn=fn,
            op_tags=op_tags,
            auto_observe_interval_minutes=auto_observe_interval_minutes,
            automation_condition=automation_condition,
            tags=tags,
        )
        source._observe_op = OpDefinition(
            fn,
            asset_key.to_python_identifier(),
            required_resource_keys=required_resource_keys,
            tags=op_tags,
        )
        return source

    return decorate(observe_fn) if observe_fn is not None else decorate
