"""Typed metadata values and the normalisation of raw metadata dictionaries."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.keys import AssetKey
from headwater.errors import InvalidDefinitionError


class MetadataValue:
    """Base class of typed metadata values; the static methods build each kind.

    Example:
        >>> MetadataValue.url("https://example.com").value
        'https://example.com'
    """

    __slots__ = ()

    @property
    def value(self) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    @staticmethod
    def text(text: str) -> TextMetadataValue:
        """A plain string."""
        return TextMetadataValue(text)

    @staticmethod
    def int(value: int) -> IntMetadataValue:
        """An integer."""
        return IntMetadataValue(value)

    @staticmethod
    def float(value: float) -> FloatMetadataValue:
        """A floating-point number."""
        return FloatMetadataValue(value)

    @staticmethod
    def bool(value: bool) -> BoolMetadataValue:
        """A boolean."""
        return BoolMetadataValue(value)

    @staticmethod
    def json(data: Any) -> JsonMetadataValue:
        """A JSON-serialisable dict or list."""
        return JsonMetadataValue(data)

    @staticmethod
    def md(md_str: str) -> MarkdownMetadataValue:
        """A Markdown string."""
        return MarkdownMetadataValue(md_str)

    @staticmethod
    def url(url: str) -> UrlMetadataValue:
        """A URL."""
        return UrlMetadataValue(url)

    @staticmethod
    def path(path: str | os.PathLike[str]) -> PathMetadataValue:
        """A filesystem path."""
        return PathMetadataValue(os.fspath(path))

    @staticmethod
    def notebook(path: str | os.PathLike[str]) -> NotebookMetadataValue:
        """The path of a Jupyter notebook."""
        return NotebookMetadataValue(os.fspath(path))

    @staticmethod
    def python_artifact(python_artifact: Any) -> PythonArtifactMetadataValue:
        """A Python class or function, recorded by module and name."""
        return PythonArtifactMetadataValue(python_artifact.__module__, python_artifact.__name__)

    @staticmethod
    def timestamp(value: Any) -> TimestampMetadataValue:
        """A point in time: seconds since the epoch or a timezone-aware datetime."""
        if hasattr(value, "timestamp"):
            if getattr(value, "tzinfo", None) is None:
                raise InvalidDefinitionError(
                    f"MetadataValue.timestamp needs a timezone-aware datetime; got {value!r}. "
                    "Pass datetime(..., tzinfo=timezone.utc) or a float."
                )
            value = value.timestamp()
        return TimestampMetadataValue(float(value))

    @staticmethod
    def null() -> NullMetadataValue:
        """No value."""
        return NullMetadataValue()

    @staticmethod
    def table(records: Sequence[TableRecord], schema: TableSchema | None = None):
        """Rows of a table, with an optional schema."""
        return TableMetadataValue(records, schema)

    @staticmethod
    def table_schema(schema: TableSchema) -> TableSchemaMetadataValue:
        """The column schema of a table."""
        return TableSchemaMetadataValue(schema)

    @staticmethod
    def asset(asset_key: AssetKey) -> AssetMetadataValue:
        """A reference to another asset."""
        return AssetMetadataValue(asset_key)

    @staticmethod
    def job(job_name: str, location_name: str | None = None) -> JobMetadataValue:
        """A reference to a job."""
        return JobMetadataValue(job_name, location_name)

    @staticmethod
    def dagster_run(run_id: str) -> DagsterRunMetadataValue:
        """A reference to a run by id."""
        return DagsterRunMetadataValue(run_id)


def _simple(field: str, doc: str):
    """Build a one-field value class whose ``.value`` is that field."""

    def decorate(cls):
        cls.__doc__ = doc
        if field != "value":
            cls.value = property(lambda self: getattr(self, field))
        return attrs.frozen(cls)

    return decorate


@_simple("text", "A plain string metadata value.")
class TextMetadataValue(MetadataValue):
    text: str


@_simple("value", "An integer metadata value.")
class IntMetadataValue(MetadataValue):
    value: int  # type: ignore[misc]


@_simple("value", "A float metadata value.")
class FloatMetadataValue(MetadataValue):
    value: float  # type: ignore[misc]


@_simple("value", "A boolean metadata value.")
class BoolMetadataValue(MetadataValue):
    value: bool  # type: ignore[misc]


@_simple("data", "A JSON dict or list metadata value.")
class JsonMetadataValue(MetadataValue):
    data: Any


@_simple("md_str", "A Markdown metadata value.")
class MarkdownMetadataValue(MetadataValue):
    md_str: str


@_simple("url", "A URL metadata value.")
class UrlMetadataValue(MetadataValue):
    url: str


@_simple("path", "A filesystem path metadata value.")
class PathMetadataValue(MetadataValue):
    path: str

    @property
    def fspath(self) -> str:
        """The path (the reference's name for it)."""
        return self.path


@_simple("path", "A notebook path metadata value.")
class NotebookMetadataValue(MetadataValue):
    path: str


@_simple("value", "A timestamp metadata value (seconds since the epoch).")
class TimestampMetadataValue(MetadataValue):
    value: float  # type: ignore[misc]


@_simple("asset_key", "A metadata value pointing at an asset.")
class AssetMetadataValue(MetadataValue):
    asset_key: AssetKey


@_simple("run_id", "A metadata value pointing at a run.")
class DagsterRunMetadataValue(MetadataValue):
    run_id: str


@_simple("schema", "A table-schema metadata value.")
class TableSchemaMetadataValue(MetadataValue):
    schema: TableSchema


@attrs.frozen
class NullMetadataValue(MetadataValue):
    """The absence of a value."""

    @property
    def value(self) -> None:
        return None


@attrs.frozen
class PythonArtifactMetadataValue(MetadataValue):
    """A Python class or function, by module and name."""

    module: str
    name: str

    @property
    def value(self) -> PythonArtifactMetadataValue:
        return self


@attrs.frozen
class JobMetadataValue(MetadataValue):
    """A reference to a job, optionally in a named code location."""

    job_name: str
    location_name: str | None = None

    @property
    def value(self) -> JobMetadataValue:
        return self


@attrs.frozen
class TableColumn:
    """One column of a `TableSchema`."""

    name: str
    type: str = "string"
    description: str | None = None


@attrs.frozen
class TableSchema:
    """The columns of a table."""

    columns: tuple[TableColumn, ...] = attrs.field(converter=tuple)


@attrs.frozen
class TableRecord:
    """One row of a table, as a mapping of column name to a scalar value."""

    data: Mapping[str, Any] = attrs.field(converter=dict)


@attrs.frozen
class TableMetadataValue(MetadataValue):
    """Rows of a table with an optional schema."""

    records: tuple[TableRecord, ...] = attrs.field(converter=tuple)
    schema: TableSchema | None = None

    @property
    def value(self) -> TableMetadataValue:
        return self


def normalize_metadata_value(key: str, raw: Any) -> MetadataValue:
    """Turn one raw metadata value into a `MetadataValue`.

    Raises:
        InvalidDefinitionError: the value has a type that cannot be stored.
    """
    if isinstance(raw, MetadataValue):
        return raw
    # bool before int: bool is a subclass of int.
    if isinstance(raw, bool):
        return BoolMetadataValue(raw)
    if isinstance(raw, str):
        return TextMetadataValue(raw)
    if isinstance(raw, int):
        return IntMetadataValue(raw)
    if isinstance(raw, float):
        return FloatMetadataValue(raw)
    if raw is None:
        return NullMetadataValue()
    if isinstance(raw, (dict, list)):
        return JsonMetadataValue(raw)
    if isinstance(raw, AssetKey):
        return AssetMetadataValue(raw)
    if isinstance(raw, TableSchema):
        return TableSchemaMetadataValue(raw)
    if isinstance(raw, os.PathLike):
        return PathMetadataValue(os.fspath(raw))
    raise InvalidDefinitionError(
        f"Metadata entry '{key}' has a value of type {type(raw).__name__} that cannot be stored. "
        "Use a str, int, float, bool, dict, list, AssetKey, None, or wrap it in a "
        "MetadataValue (for example MetadataValue.json(...))."
    )


def normalize_metadata(metadata: Mapping[str, Any] | None) -> dict[str, MetadataValue]:
    """Return a dict of `MetadataValue` for a mapping of raw metadata values.

    Raises:
        InvalidDefinitionError: a key is not a string or a value cannot be stored.
    """
    if not metadata:
        return {}
    out: dict[str, MetadataValue] = {}
    for key, raw in metadata.items():
        if not isinstance(key, str):
            raise InvalidDefinitionError(
                f"Metadata keys must be strings; got {key!r} ({type(key).__name__})."
            )
        out[key] = normalize_metadata_value(key, raw)
    return out
