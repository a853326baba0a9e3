"""Asset check values: `AssetCheckKey`, `AssetCheckSpec`, `AssetCheckResult`, severities."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.definitions.names import check_valid_name
from headwater.definitions.specs import (
    AssetDep,
    _coerce_key,
    _normalized_metadata,
    _to_deps,
    _to_dict,
)


class AssetCheckSeverity(enum.Enum):
    """How serious a failed check is."""

    WARN = "WARN"
    ERROR = "ERROR"


@attrs.frozen(order=True)
class AssetCheckKey:
    """The identity of a check: the asset it targets and its name."""

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    name: str

    def to_user_string(self) -> str:
        """``"<asset/key>:<check name>"``."""
        return f"{self.asset_key.to_user_string()}:{self.name}"

    @staticmethod
    def from_user_string(value: str) -> AssetCheckKey:
        """Parse the form produced by `to_user_string`."""
        asset, _, name = value.rpartition(":")
        return AssetCheckKey(AssetKey.from_user_string(asset), name)


def _check_name(_instance: object, _attribute: object, value: str) -> None:
    check_valid_name(value, allow_reserved=True)


@attrs.frozen
class AssetCheckSpec:
    """Declares a check on an asset, computed by the asset's function or an `@asset_check`.

    Args:
        name: the check name, unique per asset.
        asset: the asset checked (key, string, spec or definition).
        additional_deps: other assets the check reads.
        description: human-readable description.
        blocking: if the check fails, downstream assets in the same run do not run.
        metadata: static metadata.
        automation_condition: when to run the check automatically.
    """

    name: str = attrs.field(validator=_check_name)
    asset_key: AssetKey = attrs.field(converter=_coerce_key, alias="asset", kw_only=True)
    additional_deps: tuple[AssetDep, ...] = attrs.field(
        default=(), converter=_to_deps, kw_only=True
    )
    description: str | None = attrs.field(default=None, kw_only=True)
    blocking: bool = attrs.field(default=False, kw_only=True)
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict, kw_only=True)
    automation_condition: Any = attrs.field(default=None, kw_only=True)

    @property
    def key(self) -> AssetCheckKey:
        """The check's `AssetCheckKey`."""
        return AssetCheckKey(self.asset_key, self.name)

    @property
    def asset(self) -> AssetKey:
        """The key of the checked asset (the constructor argument's name)."""
        return self.asset_key

    def get_python_identifier(self) -> str:
        """The op output name used for this check: ``<asset identifier>_<name>``."""
        return self.asset_key.to_python_identifier(self.name)


def _optional_key(value: Any) -> AssetKey | None:
    return None if value is None else AssetKey.from_coercible(value)


@attrs.frozen(kw_only=True)
class AssetCheckResult:
    """The outcome of one check, returned or yielded by the function that computes it.

    Args:
        passed: whether the check passed.
        asset_key: the checked asset; optional when it is unambiguous.
        check_name: the check; optional when the function computes one check.
        metadata: metadata about the evaluation.
        severity: how serious a failure is.
        description: human-readable detail.
    """

    passed: bool
    asset_key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    check_name: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_normalized_metadata)
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    description: str | None = None
