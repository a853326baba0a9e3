"""`Config`: typed run configuration for assets and ops."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from headwater.resources._fields import FieldsBase, structure_value


class Config(FieldsBase):
    """Base class for typed configuration: subclass it and annotate the fields.

    Fields may have defaults and may be nested `Config` classes, ``list``, ``dict``,
    ``Optional``, ``Literal`` or ``Enum`` types. Instances are frozen; values are checked when
    built, in Python or from run config, and a mismatch raises `InvalidConfigError` naming the
    field's path.

    Example::

        class LimitConfig(Config):
            limit: int = 10
            tags: list[str] = []
    """

    _headwater_config: ClassVar[bool] = True


def build_config(cls: type[FieldsBase], data: Any, path: str = "$") -> Any:
    """Build an instance of ``cls`` from run-config data (a mapping or an instance).

    Raises:
        InvalidConfigError: naming the path of each missing, unknown or mistyped field.
    """
    return structure_value({} if data is None else data, cls, path)


_SCHEMA_CLASSES: dict[tuple[str, tuple[tuple[str, Any], ...]], type[Config]] = {}


def schema_class(config_schema: Any, owner: str) -> Any:
    """Normalise a ``config_schema``: a mapping of field name to type becomes a Config class.

    The class for one (owner, schema) is made once: run config is validated on every run,
    and a new class each time would also mean a new generated structurer each time.
    """
    if not isinstance(config_schema, Mapping):
        return config_schema
    cache_key = (owner, tuple(config_schema.items()))
    try:
        cached = _SCHEMA_CLASSES.get(cache_key)
    except TypeError:  # a field type that cannot be hashed: build it each time
        return _make_schema_class(config_schema, owner)
    if cached is None:
        cached = _SCHEMA_CLASSES[cache_key] = _make_schema_class(config_schema, owner)
    return cached


def _make_schema_class(config_schema: Mapping[str, Any], owner: str) -> type[Config]:
    import re
    import typing

    annotations = {}
    namespace: dict[str, Any] = {}
    for name, tp in config_schema.items():
        annotations[name] = tp
        if type(None) in typing.get_args(tp):
            namespace[name] = None
    namespace["__annotations__"] = annotations
    # cattrs compiles a structurer named after the class, so the name must be an identifier;
    # ops inside graphs have dotted owners ("ga.mult").
    class_name = re.sub(r"\W", "_", f"{owner}Config")
    if class_name[0].isdigit():
        class_name = f"_{class_name}"
    namespace["__qualname__"] = class_name
    return type(class_name, (Config,), namespace)
