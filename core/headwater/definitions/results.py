"""What asset functions return: `MaterializeResult`, `ObserveResult`, `Output`, `DataVersion`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.checks import AssetCheckResult
from headwater.definitions.keys import AssetKey
from headwater.definitions.specs import _normalized_metadata, _to_dict


class _NoValue:
    """Marks a `MaterializeResult` built without ``value=``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __reduce__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()


@attrs.frozen
class DataVersion:
    """An opaque string identifying the contents of an asset at some point."""

    value: str = attrs.field(validator=attrs.validators.instance_of(str))


def _optional_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)


def _to_tuple(value: Sequence[Any] | None) -> tuple[Any, ...]:
    return tuple(value) if value else ()


@attrs.frozen(kw_only=True)
class MaterializeResult:
    """A successful materialization, returned or yielded by an asset function.

    Without ``value=`` nothing is sent to the IO manager; with it, the value is stored like a
    plain return value.

    Args:
        asset_key: which asset; required in multi-assets, optional otherwise.
        metadata: metadata recorded on the materialization event.
        check_results: results of checks computed alongside.
        data_version: the data version of the new contents.
        tags: tags recorded on the materialization event.
        value: the value to hand to the IO manager.
    """

    asset_key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_normalized_metadata)
    check_results: tuple[AssetCheckResult, ...] = attrs.field(default=(), converter=_to_tuple)
    data_version: DataVersion | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_to_dict)
    value: Any = NO_VALUE

    @property
    def has_value(self) -> bool:
        """Whether ``value=`` was given (``None`` counts as a value)."""
        return self.value is not NO_VALUE


def _data_versions(value: Mapping[str, str | DataVersion]) -> dict[str, DataVersion]:
    return {
        str(key): version if isinstance(version, DataVersion) else DataVersion(version)
        for key, version in value.items()
    }


@attrs.frozen
class DataVersionsByPartition:
    """What a partitioned observable source asset returns: one data version per partition.

    Args:
        data_versions_by_partition: partition key -> `DataVersion` (or its string).
    """

    data_versions_by_partition: Mapping[str, DataVersion] = attrs.field(converter=_data_versions)


@attrs.frozen(kw_only=True)
class ObserveResult:
    """A successful observation, returned by an observation function.

    Args:
        asset_key: which asset; optional when unambiguous.
        metadata: metadata recorded on the observation event.
        check_results: results of checks computed alongside.
        data_version: the observed data version.
        tags: tags recorded on the observation event.
    """

    asset_key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_normalized_metadata)
    check_results: tuple[AssetCheckResult, ...] = attrs.field(default=(), converter=_to_tuple)
    data_version: DataVersion | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_to_dict)


@attrs.frozen
class Output:
    """A value for one named output of an op or multi-asset, with metadata.

    Args:
        value: the value handed to the IO manager.
        output_name: the output it belongs to.
        metadata: metadata recorded on the event.
        data_version: the data version of the value.
        tags: tags recorded on the event.
    """

    value: Any
    output_name: str = "result"
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_normalized_metadata)
    data_version: DataVersion | None = None
    tags: Mapping[str, str] = attrs.field(factory=dict, converter=_to_dict)
