"""The field mechanism shared by `Config` and `ConfigurableResource`.

A subclass's annotated attributes become attrs fields (frozen, keyword-only, ``slots=False``
so the class object stays the one the user wrote). Values are checked and converted with one
cattrs converter whose primitive hooks are strict: ``"5"`` is not an ``int``. Conversion errors
become `InvalidConfigError` messages with a path, ``$.ops.my_asset.config.limit: expected int,
got 'x'``.
"""

from __future__ import annotations

import copy
import enum
import functools
import inspect
import typing
from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from headwater.errors import InvalidConfigError, did_you_mean
from headwater.resources._env import EnvVar, IntEnvVar

_MUTABLE_DEFAULTS = (list, dict, set)


class FrozenFieldError(attrs.exceptions.FrozenInstanceError):
    """A config field was assigned after construction."""

    def __init__(self, message: str):
        AttributeError.__init__(self, message)
        self.msg = message

    def __str__(self) -> str:
        return self.msg


class FieldsBase:
    """Base of classes whose annotated attributes are validated config fields."""

    # Private attributes set after construction (clients, caches) are allowed; fields are not.
    _headwater_env_fields: ClassVar[Mapping[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _apply_attrs(cls)

    def __attrs_post_init__(self) -> None:
        cls = type(self)
        for name, tp in field_types(cls).items():
            value = getattr(self, name)
            converted = structure_value(value, tp, f"{cls.__name__}.{name}")
            if converted is not value:
                object.__setattr__(self, name, converted)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        raise FrozenFieldError(
            f"{type(self).__name__}.{name} is a config field and cannot be changed; "
            f"build a new {type(self).__name__} instead"
        )

    def __delattr__(self, name: str) -> None:
        if name.startswith("_"):
            object.__delattr__(self, name)
            return
        raise FrozenFieldError(f"cannot delete config field {name!r}")

    def __repr__(self) -> str:
        masked = self.__dict__.get("_headwater_env_fields", {})
        shown = []
        for field in attrs.fields(type(self)):
            value = masked.get(field.name, getattr(self, field.name))
            shown.append(f"{field.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__


def _apply_attrs(cls: type) -> None:
    own = dict(inspect.get_annotations(cls))
    private = {name: tp for name, tp in own.items() if name.startswith("_")}
    public = {name: tp for name, tp in own.items() if not name.startswith("_")}
    for name in public:
        default = cls.__dict__.get(name, attrs.NOTHING)
        if isinstance(default, _MUTABLE_DEFAULTS):
            # A shared mutable default would leak between instances; copy it per instance.
            setattr(cls, name, attrs.field(factory=functools.partial(copy.deepcopy, default)))
    # Private annotated names (``_client: Any = None``) are per-instance state, not fields.
    cls.__annotations__ = public
    try:
        attrs.define(cls, slots=False, frozen=True, kw_only=True, repr=False, eq=True)
    finally:
        cls.__annotations__ = {**public, **private}
    # attrs installs a frozen __setattr__; restore ours, which allows private attributes.
    cls.__setattr__ = FieldsBase.__setattr__  # type: ignore[method-assign]
    cls.__delattr__ = FieldsBase.__delattr__  # type: ignore[method-assign]


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """Resolved annotation of every field of ``cls``, in declaration order."""
    try:
        hints = typing.get_type_hints(cls)
    except NameError as exc:
        from headwater.errors import InvalidDefinitionError

        raise InvalidDefinitionError(
            f"cannot resolve the field annotations of {cls.__qualname__}: {exc}. Define the "
            "classes it refers to at module level (or drop `from __future__ import annotations`)."
        ) from exc
    return {field.name: hints.get(field.name, Any) for field in attrs.fields(cls)}


def field_names(cls: type) -> list[str]:
    """The field names of a config class, in declaration order."""
    return [field.name for field in attrs.fields(cls)]


# -- conversion -------------------------------------------------------------------------------


class ExpectedTypeError(TypeError):
    """A value of the wrong type; the message is ``expected <type>, got <value>``."""


def type_label(tp: Any) -> str:
    if tp is type(None):
        return "None"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _expected(tp: Any, value: Any) -> ExpectedTypeError:
    return ExpectedTypeError(f"expected {type_label(tp)}, got {value!r}")


def _is_env_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"env"} and isinstance(value["env"], str)


def _structure_str(value: Any, tp: Any) -> str:
    if isinstance(value, str):
        return value
    if _is_env_mapping(value):
        return EnvVar(value["env"])
    raise _expected(str, value)


def _structure_int(value: Any, tp: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if _is_env_mapping(value):
        return IntEnvVar(value["env"])
    raise _expected(int, value)


def _structure_float(value: Any, tp: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if not isinstance(value, float) else value
    raise _expected(float, value)


def _structure_bool(value: Any, tp: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _expected(bool, value)


def _structure_enum(value: Any, tp: Any) -> enum.Enum:
    if isinstance(value, tp):
        return value
    if isinstance(value, str) and value in tp.__members__:
        return tp.__members__[value]
    try:
        return tp(value)
    except ValueError:
        allowed = ", ".join(repr(name) for name in tp.__members__)
        raise ExpectedTypeError(
            f"expected one of {allowed} ({tp.__name__}), got {value!r}"
        ) from None


def _structure_literal(value: Any, tp: Any) -> Any:
    allowed = typing.get_args(tp)
    if value in allowed and not (isinstance(value, bool) and True in allowed and 1 in allowed):
        return value
    raise ExpectedTypeError(f"expected one of {', '.join(map(repr, allowed))}, got {value!r}")


def _is_union(tp: Any) -> bool:
    import types

    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _is_opaque_class(tp: Any) -> bool:
    return (
        isinstance(tp, type)
        and typing.get_origin(tp) is None
        and not issubclass(tp, (FieldsBase, enum.Enum))
        and tp not in (str, int, float, bool, bytes, list, dict, tuple, set, frozenset)
        and not attrs.has(tp)
    )


@functools.cache
def converter() -> Any:
    """The cattrs converter used for every config value."""
    import cattrs

    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_func(
        lambda tp: isinstance(tp, type) and issubclass(tp, enum.Enum), _structure_enum
    )
    conv.register_structure_hook_func(
        lambda tp: typing.get_origin(tp) is typing.Literal, _structure_literal
    )

    def structure_union(value: Any, tp: Any) -> Any:
        members = typing.get_args(tp)
        if value is None and type(None) in members:
            return None
        for member in members:
            if member is type(None):
                continue
            try:
                return conv.structure(value, member)
            except Exception:
                continue
        raise ExpectedTypeError(f"expected {type_label(tp)}, got {value!r}")

    conv.register_structure_hook_func(_is_union, structure_union)

    def structure_fields_class(value: Any, tp: type) -> Any:
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping) or getattr(tp, "_headwater_resource", False):
            raise ExpectedTypeError(f"expected {tp.__name__}, got {value!r}")
        return _dict_structurer(conv, tp)(value, tp)

    conv.register_structure_hook_func(
        lambda tp: isinstance(tp, type) and issubclass(tp, FieldsBase), structure_fields_class
    )

    def structure_opaque(value: Any, tp: type) -> Any:
        if isinstance(value, tp):
            return value
        raise _expected(tp, value)

    conv.register_structure_hook_func(_is_opaque_class, structure_opaque)
    conv.register_unstructure_hook(EnvVar, _unstructure_env)
    conv.register_unstructure_hook(IntEnvVar, _unstructure_env)
    conv.register_unstructure_hook_func(
        lambda tp: isinstance(tp, type) and issubclass(tp, FieldsBase), _unstructure_fields
    )
    return conv


_STRUCTURERS: dict[type, Any] = {}


def _dict_structurer(conv: Any, cls: type) -> Any:
    fn = _STRUCTURERS.get(cls)
    if fn is None:
        from cattrs.gen import make_dict_structure_fn

        field_types(cls)  # raises a clear error when annotations cannot be resolved
        attrs.resolve_types(cls)
        fn = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True)
        _STRUCTURERS[cls] = fn
    return fn


def _unstructure_env(value: Any) -> dict[str, str]:
    return {"env": value.env_var_name}


def _unstructure_fields(value: FieldsBase) -> dict[str, Any]:
    conv = converter()
    masked = value.__dict__.get("_headwater_env_fields", {})
    out = {}
    for field in attrs.fields(type(value)):
        item = masked.get(field.name, getattr(value, field.name))
        out[field.name] = conv.unstructure(item)
    return out


def config_dict(value: Any) -> Any:
    """Plain data for a config value: EnvVars become ``{"env": NAME}``, never their value."""
    return converter().unstructure(value)


_PLAIN_SCALARS = frozenset({str, int, float, bool})


def structure_value(value: Any, tp: Any, path: str) -> Any:
    """Check and convert ``value`` to ``tp``; raise InvalidConfigError with paths under ``path``."""
    if type(value) is tp and tp in _PLAIN_SCALARS:
        # The common case (a default or literal of the annotated type) needs no converter,
        # which keeps cattrs out of processes that only build definitions.
        return value
    try:
        return converter().structure(value, tp)
    except Exception as exc:
        raise InvalidConfigError(format_errors(exc, path)) from None


def structure_fields(data: Mapping[str, Any], cls: type, path: str) -> Any:
    """Build ``cls`` (a Config or resource class) from a mapping of its fields."""
    conv = converter()
    try:
        return _dict_structurer(conv, cls)(data, cls)
    except Exception as exc:
        raise InvalidConfigError(format_errors(exc, path)) from None


def format_errors(exc: BaseException, path: str) -> str:
    lines = [f"{where}: {what}" for where, what in _flatten(exc, path)]
    if len(lines) == 1:
        return lines[0]
    return f"{len(lines)} config errors:\n  " + "\n  ".join(lines)


def _flatten(exc: BaseException, path: str) -> list[tuple[str, str]]:
    from cattrs.errors import (
        AttributeValidationNote,
        ForbiddenExtraKeysError,
        IterableValidationNote,
    )

    out: list[tuple[str, str]] = []
    stack: list[tuple[BaseException, str]] = [(exc, path)]
    while stack:
        current, where = stack.pop()
        missing_type = None
        for note in getattr(current, "__notes__", []):
            if isinstance(note, AttributeValidationNote):
                where = f"{where}.{note.name}"
                missing_type = note.type
            elif isinstance(note, IterableValidationNote):
                where = f"{where}[{note.index!r}]"
        if isinstance(current, ForbiddenExtraKeysError):
            allowed = field_names(current.cl)
            listed = ", ".join(allowed) or "(none)"
            for extra in sorted(current.extra_fields):
                hint = did_you_mean(extra, allowed) or "."
                out.append((where, f"unknown field '{extra}'{hint} Allowed fields: {listed}."))
        elif getattr(current, "exceptions", None) is not None:
            stack.extend((sub, where) for sub in reversed(current.exceptions))
        elif isinstance(current, KeyError) and missing_type is not None:
            out.append((where, f"missing required field (expected {type_label(missing_type)})"))
        elif isinstance(current, InvalidConfigError):
            out.append((where, str(current)))
        else:
            out.append((where, str(current) or type(current).__name__))
    return out
