"""Data versions: the logical version of a materialization and the tags recording provenance.

A materialization's data version is the one the user supplied, or else its *logical* version:
the sha256 of the code version followed by the data versions of its inputs, the inputs sorted
by the string form of their asset keys (``AssetKey(['a', 'b'])``). The provenance (code
version, input versions, the storage ids of the input events) is written as event tags, and the
stale-status resolver reads it back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.events.assets import CODE_VERSION_TAG, DATA_VERSION_TAG

DEFAULT_DATA_VERSION = "INITIAL"
"""The version of an asset assumed to exist but with no recorded version (source assets)."""
NULL_DATA_VERSION = "NULL"
"""The version of a materializable asset that has never been materialized."""
UNKNOWN_DATA_VERSION = "UNKNOWN"
"""The version that cannot be computed because an input or the code version is unknown."""
NULL_EVENT_POINTER = "NULL"
"""The input event pointer of an input with no recorded event."""

DATA_VERSION_IS_USER_PROVIDED_TAG = "dagster/data_version_is_user_provided"
INPUT_DATA_VERSION_TAG_PREFIX = "dagster/input_data_version"
INPUT_EVENT_POINTER_TAG_PREFIX = "dagster/input_event_pointer"
# Tags written by older releases of the reference implementation; still read.
_OLD_DATA_VERSION_TAG = "dagster/logical_version"
_OLD_INPUT_DATA_VERSION_TAG_PREFIX = "dagster/input_logical_version"


def input_data_version_tag(key: AssetKey) -> str:
    """The tag holding the data version of input ``key``."""
    return f"{INPUT_DATA_VERSION_TAG_PREFIX}/{key.to_user_string()}"


def input_event_pointer_tag(key: AssetKey) -> str:
    """The tag holding the storage id of the event input ``key`` was read at."""
    return f"{INPUT_EVENT_POINTER_TAG_PREFIX}/{key.to_user_string()}"


def _key_sort_string(key: AssetKey) -> str:
    # The reference orders inputs by str(AssetKey), which is this form; tuple order differs
    # (["a", "b"] sorts before ["a"] here), and the hash must match byte for byte.
    return f"AssetKey({list(key.parts)!r})"


def compute_logical_data_version(
    code_version: str | None, input_data_versions: Mapping[AssetKey, Any]
) -> str:
    """The logical data version of a value computed by ``code_version`` from these inputs.

    Args:
        code_version: the code version; None means unknown.
        input_data_versions: the data version (a string or `DataVersion`) of each input.

    Returns:
        The hex sha256 of the code version followed by the input versions sorted by asset
        key string, or ``"UNKNOWN"`` when the code version or an input version is unknown.
    """
    values = {key: _value(version) for key, version in input_data_versions.items()}
    if code_version is None or UNKNOWN_DATA_VERSION in values.values():
        return UNKNOWN_DATA_VERSION
    ordered = sorted(values, key=_key_sort_string)
    text = "".join([code_version, *(values[key] for key in ordered)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _value(version: Any) -> str:
    return version if isinstance(version, str) else version.value


def data_version_tags(
    data_version: str,
    code_version: str,
    inputs: Mapping[AssetKey, tuple[int | None, str]],
    *,
    user_provided: bool,
) -> dict[str, str]:
    """The provenance tags of a materialization.

    Args:
        data_version: the materialization's data version.
        code_version: the code version it was computed with (the run id when unversioned).
        inputs: per input key, the storage id of the input event (None if there was none)
            and the input's data version.
        user_provided: whether the function supplied ``data_version``.
    """
    tags = {CODE_VERSION_TAG: code_version}
    for key, (storage_id, version) in inputs.items():
        tags[input_data_version_tag(key)] = version
        tags[input_event_pointer_tag(key)] = (
            str(storage_id) if storage_id is not None else NULL_EVENT_POINTER
        )
    tags[DATA_VERSION_TAG] = data_version
    if user_provided:
        tags[DATA_VERSION_IS_USER_PROVIDED_TAG] = "true"
    return tags


def extract_data_version(tags: Mapping[str, str] | None) -> str | None:
    """The data version recorded in an event's tags, if any."""
    tags = tags or {}
    return tags.get(DATA_VERSION_TAG) or tags.get(_OLD_DATA_VERSION_TAG)


@attrs.frozen
class DataProvenance:
    """What a materialization was computed from, read back from its tags.

    Attributes:
        code_version: the code version (or run id) it was computed with.
        input_data_versions: the data version of each input at the time.
        input_storage_ids: the storage id of each input's event (None when there was none).
        is_user_provided: whether the data version was supplied by the function.
    """

    code_version: str
    input_data_versions: Mapping[AssetKey, str]
    input_storage_ids: Mapping[AssetKey, int | None]
    is_user_provided: bool

    @classmethod
    def from_tags(cls, tags: Mapping[str, str] | None) -> DataProvenance | None:
        """The provenance in ``tags``, or None when they carry no code version."""
        tags = tags or {}
        code_version = tags.get(CODE_VERSION_TAG)
        if code_version is None:
            return None
        versions: dict[AssetKey, str] = {}
        pointers: dict[AssetKey, int | None] = {}
        for name, value in tags.items():
            if name.startswith((INPUT_DATA_VERSION_TAG_PREFIX, _OLD_INPUT_DATA_VERSION_TAG_PREFIX)):
                versions[_key_of_tag(name)] = value
            elif name.startswith(INPUT_EVENT_POINTER_TAG_PREFIX):
                pointers[_key_of_tag(name)] = None if value == NULL_EVENT_POINTER else int(value)
        return cls(
            code_version,
            versions,
            pointers,
            tags.get(DATA_VERSION_IS_USER_PROVIDED_TAG) == "true",
        )

    def has_input(self, key: AssetKey) -> bool:
        """Whether both the version and the event pointer of input ``key`` were recorded."""
        return key in self.input_data_versions and key in self.input_storage_ids


def _key_of_tag(tag: str) -> AssetKey:
    # "dagster/<prefix>/<user string of the key>": the key is everything after the 2nd slash.
    return AssetKey.from_user_string(tag.split("/", 2)[-1])


def latest_data_version_record(
    instance: Any, key: AssetKey, *, observable: bool | None = None, partition: str | None = None
) -> Any:
    """The event holding ``key``'s current data version, or None.

    Args:
        instance: the instance to read.
        key: the asset.
        observable: True for assets with an observation function (the newer of the latest
            materialization and observation counts), False for the latest materialization
            only, None when unknown (the latest materialization, else the latest observation:
            how a run reads the version of an input).
        partition: restrict to one partition.
    """
    from headwater.events.records import AssetRecordsFilter

    records_filter = AssetRecordsFilter(
        key, asset_partitions=[partition] if partition is not None else None
    )
    materialization = next(iter(instance.fetch_materializations(records_filter, 1).records), None)
    if observable is False or (observable is None and materialization is not None):
        return materialization
    observation = next(iter(instance.fetch_observations(records_filter, 1).records), None)
    if materialization is None or observation is None:
        return materialization or observation
    return max(materialization, observation, key=lambda record: record.storage_id)


def input_version(instance: Any, key: AssetKey) -> tuple[int | None, str]:
    """The storage id of ``key``'s latest version-bearing event and its data version.

    An input with no event (a source asset never observed) or no recorded version has
    version ``"INITIAL"``.
    """
    record = None if instance is None else latest_data_version_record(instance, key)
    if record is None:
        return (None, DEFAULT_DATA_VERSION)
    version = extract_data_version(record.event_log_entry.tags)
    return (record.storage_id, version or DEFAULT_DATA_VERSION)
