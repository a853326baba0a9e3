"""The one cattrs converter: every stored or transmitted value goes through it.

Serialised objects are self-describing: an attrs instance becomes a JSON object carrying its
class name under ``"__class__"`` and an enum member becomes ``{"__enum__": name, "value": v}``,
so a field typed ``Any`` (event-specific data, metadata values) comes back as the same class.
Classes are found by name in the registry that `serializable` fills, then in the definition
modules listed in ``_LAZY_MODULES`` (imported only when a name is not yet known).

cattrs is imported on first use, never by ``import headwater``.
"""

from __future__ import annotations

import enum
import importlib
import json
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, TypeVar

from headwater.definitions.keys import AssetKey

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

CLASS_TAG = "__class__"
ENUM_TAG = "__enum__"

_REGISTRY: dict[str, type] = {}
# Modules whose attrs classes and enums may appear inside events (metadata values, check
# severities, data versions). They are imported lazily because they belong to other layers.
_LAZY_MODULES = (
    "headwater.definitions.metadata",
    "headwater.definitions.checks",
    "headwater.definitions.results",
    "headwater.events",
    "headwater.storage.runs",
)
_converter: cattrs.Converter | None = None


def serializable(cls: type[T]) -> type[T]:
    """Class decorator: make ``cls`` known to the converter by its class name."""
    existing = _REGISTRY.get(cls.__name__)
    if existing is not None and existing is not cls:
        raise TypeError(
            f"Two serialisable classes are named {cls.__name__!r}: "
            f"{existing.__module__} and {cls.__module__}; rename one of them"
        )
    _REGISTRY[cls.__name__] = cls
    return cls


def _class_named(name: str) -> type:
    cls = _REGISTRY.get(name)
    if cls is not None:
        return cls
    for module_name in _LAZY_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found = getattr(module, name, None)
        if isinstance(found, type):
            _REGISTRY[name] = found
            return found
    raise ValueError(
        f"Cannot deserialise an object of class {name!r}: no serialisable class has that "
        "name. It was probably written by a newer headwater or by a plugin that is not "
        "installed."
    )


def _structure_any(value: Any, _type: object = Any) -> Any:
    if isinstance(value, dict):
        tag = value.get(CLASS_TAG)
        if tag is not None:
            return get_converter().structure(value, _class_named(tag))
        enum_name = value.get(ENUM_TAG)
        if enum_name is not None:
            return _class_named(enum_name)(value["value"])
        return {key: _structure_any(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_structure_any(item) for item in value]
    return value


def _sorted_list(values: Iterable[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def _build_converter() -> cattrs.Converter:
    import attrs
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn

    # Sets become JSON lists (sorted where the elements allow it, so output is stable).
    converter = cattrs.Converter(
        unstruct_collection_overrides={AbstractSet: _sorted_list}, detailed_validation=False
    )
    converter.register_unstructure_hook(AssetKey, lambda key: list(key.parts))
    converter.register_structure_hook(AssetKey, lambda value, _: AssetKey(value))
    converter.register_structure_hook_func(lambda t: t is Any, _structure_any)

    def tagged_unstructure(cls: type) -> Any:
        fields = make_dict_unstructure_fn(cls, converter)
        name = cls.__name__

        def unstructure(obj: Any) -> dict[str, Any]:
            out = fields(obj)
            out[CLASS_TAG] = name
            return out

        return unstructure

    converter.register_unstructure_hook_factory(attrs.has, tagged_unstructure)

    def is_enum(t: Any) -> bool:
        return isinstance(t, type) and issubclass(t, enum.Enum)

    converter.register_unstructure_hook_func(
        is_enum, lambda member: {ENUM_TAG: type(member).__name__, "value": member.value}
    )

    def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
        if isinstance(value, dict):
            value = value["value"]
        return cls(value)

    converter.register_structure_hook_func(is_enum, structure_enum)
    converter.register_unstructure_hook(tuple, lambda t: [converter.unstructure(v) for v in t])
    converter.register_unstructure_hook(
        frozenset, lambda s: [converter.unstructure(v) for v in _sorted_list(s)]
    )
    return converter


def get_converter() -> cattrs.Converter:
    """The process-wide converter (built on first use)."""
    global _converter
    if _converter is None:
        _converter = _build_converter()
    return _converter


def unstructure(value: Any) -> Any:
    """Turn ``value`` into JSON-able data (tagged with class names where needed)."""
    return get_converter().unstructure(value)


def structure(data: Any, cls: type[T] | Any = Any) -> T:
    """Inverse of `unstructure`; ``cls`` may be omitted for tagged data."""
    return get_converter().structure(data, cls)


# Built once: ``json.dumps`` with non-default options builds an encoder on every call.
# Unstructured data are fresh trees of dicts and lists, so the cycle check is moot.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def serialize_value(value: Any) -> str:
    """Serialise ``value`` to a compact JSON string."""
    return _ENCODER.encode(unstructure(value))


def deserialize_value(text: str, cls: type[T] | Any = Any) -> T:
    """Parse a string written by `serialize_value`; ``cls`` checks the resulting type."""
    value = structure(json.loads(text), cls)
    if cls is not Any and not isinstance(value, cls):
        raise ValueError(f"Expected a serialised {cls.__name__}; got {type(value).__name__}")
    return value
