"""User-facing asset events: materializations, observations and check evaluations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from headwater._serde import serializable
from headwater.definitions.keys import AssetKey

DATA_VERSION_TAG = "dagster/data_version"
CODE_VERSION_TAG = "dagster/code_version"


def _metadata(value: Mapping[str, Any] | None) -> dict[str, Any]:
    from headwater.definitions.metadata import normalize_metadata

    return normalize_metadata(value)


def _tags(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value) if value else {}


def _partition(value: object) -> str | None:
    # A MultiPartitionKey is a str subclass; store the plain string form.
    return None if value is None else str(value)


@serializable
@attrs.frozen
class AssetMaterialization:
    """Records that an asset (or one partition of it) was written, with metadata about it.

    Args:
        asset_key: the asset; a string is one key component.
        description: a human-readable note.
        metadata: metadata about the new value; raw values are normalised to MetadataValues.
        partition: the partition that was written, if the asset is partitioned.
        tags: string tags, for example ``dagster/data_version``.
    """

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    description: str | None = None
    metadata: Mapping[str, Any] = attrs.field(default=None, converter=_metadata)
    partition: str | None = attrs.field(default=None, converter=_partition)
    tags: Mapping[str, str] = attrs.field(default=None, converter=_tags)

    @property
    def label(self) -> str:
        """The asset key as a ``/``-joined string."""
        return self.asset_key.to_user_string()


@serializable
@attrs.frozen
class AssetObservation:
    """Records metadata (often a data version) about an asset without writing it.

    Args:
        asset_key: the asset; a string is one key component.
        description: a human-readable note.
        metadata: what was observed; raw values are normalised to MetadataValues.
        partition: the observed partition, if any.
        tags: string tags, for example ``dagster/data_version``.
    """

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    description: str | None = None
    metadata: Mapping[str, Any] = attrs.field(default=None, converter=_metadata)
    partition: str | None = attrs.field(default=None, converter=_partition)
    tags: Mapping[str, str] = attrs.field(default=None, converter=_tags)


def _severity(value: Any) -> Any:
    from headwater.definitions.checks import AssetCheckSeverity

    if value is None:
        return AssetCheckSeverity.ERROR
    return AssetCheckSeverity(value.value if hasattr(value, "value") else value)


@serializable
@attrs.frozen
class AssetCheckEvaluationTargetMaterializationData:
    """The materialization a check evaluation looked at."""

    storage_id: int
    run_id: str
    timestamp: float


@serializable
@attrs.frozen(kw_only=True)
class AssetCheckEvaluation:
    """The stored outcome of one asset check.

    Args:
        asset_key: the checked asset.
        check_name: the check's name.
        passed: whether the check passed.
        metadata: metadata about the evaluation.
        target_materialization_data: the materialization that was checked, if known.
        severity: how serious a failure is (an `AssetCheckSeverity`, ERROR by default).
        description: human-readable detail.
        blocking: whether a failure blocks downstream assets.
    """

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    check_name: str
    passed: bool
    metadata: Mapping[str, Any] = attrs.field(default=None, converter=_metadata)
    target_materialization_data: AssetCheckEvaluationTargetMaterializationData | None = None
    severity: Any = attrs.field(default=None, converter=_severity)
    description: str | None = None
    blocking: bool | None = None

    @property
    def asset_check_key(self) -> Any:
        """The `AssetCheckKey` of the evaluated check."""
        from headwater.definitions.checks import AssetCheckKey

        return AssetCheckKey(self.asset_key, self.check_name)


@serializable
@attrs.frozen
class AssetCheckEvaluationPlanned:
    """Announces, at run creation, that a run will evaluate a check."""

    asset_key: AssetKey = attrs.field(converter=AssetKey.from_coercible)
    check_name: str
