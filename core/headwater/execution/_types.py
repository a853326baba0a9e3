"""Type checks of step outputs and inputs against their annotation or ``dagster_type``.

A declared type (a Python annotation, ``Out(dagster_type=...)``, ``In``/``AssetIn``
``dagster_type``) is resolved once per plan into a `StepType`; checking a value is then one
call. Builtin scalars, ``list``/``dict``/``tuple``/``set`` (parameterised or not),
``Optional[...]``, ``None``/`Nothing`, ``Any`` and plain classes are checked; any other
annotation (a ``Union``, a protocol, a string that does not resolve) accepts every value.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from headwater.definitions.ops import Nothing

# A check returns None when the value matches, else a description of the mismatch.
Check = Callable[[Any], "str | None"]

_SCALAR_NAMES = {int: "Int", str: "String", float: "Float", bool: "Bool"}
_ARTICLES = {int: "an int", str: "a string", float: "a float", bool: "a bool"}


class StepType:
    """A resolved declared type: its display name, its Python type and its check.

    Attributes:
        display_name: the name shown in events, e.g. ``Int``, ``[String]``, ``Int?``.
        typing_type: the Python type it stands for (``typing.Any`` when undeclared).
        is_nothing: the output or input carries no value.
    """

    __slots__ = ("_check", "display_name", "is_nothing", "typing_type")

    def __init__(
        self, display_name: str, typing_type: Any, check: Check | None, is_nothing: bool = False
    ):
        self.display_name = display_name
        self.typing_type = typing_type
        self.is_nothing = is_nothing
        self._check = check

    def type_check(self, value: Any) -> str | None:
        """None when ``value`` matches, else a sentence saying why it does not."""
        return None if self._check is None else self._check(value)

    def __repr__(self) -> str:
        return f"StepType({self.display_name})"


ANY = StepType("Any", Any, None)


def _mismatch(value: Any, expected: str) -> str:
    return f"Value {_short(value)} of Python type {type(value).__name__} is not {expected}."


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _instance_of(python_type: type, expected: str) -> Check:
    # bool is an int in Python, and an ``int`` annotation accepts it (as the reference does).
    return lambda v: None if isinstance(v, python_type) else _mismatch(v, expected)


def _container(python_type: type, items: list[StepType], variadic: bool = False) -> Check:
    label = f"a {python_type.__name__}"

    def check(value: Any) -> str | None:
        if not isinstance(value, python_type):
            return _mismatch(value, label)
        if not items:
            return None
        if python_type is dict:
            key_type, value_type = items
            for key, item in value.items():
                problem = key_type.type_check(key) or value_type.type_check(item)
                if problem:
                    return problem
            return None
        if python_type is tuple and not variadic:
            if len(value) != len(items):
                return f"Tuple {_short(value)} has {len(value)} items; expected {len(items)}."
            pairs = zip(items, value)
        else:
            pairs = ((items[0], item) for item in value)
        for item_type, item in pairs:
            problem = item_type.type_check(item)
            if problem:
                return problem
        return None

    return check


def _nothing(value: Any) -> str | None:
    if value is None:
        return None
    return f"Value {_short(value)} was returned for an output typed None/Nothing; return None."


NOTHING = StepType("Nothing", type(None), _nothing, is_nothing=True)


def resolve(declared: Any) -> StepType:
    """The `StepType` for an annotation or ``dagster_type`` (None means undeclared: Any)."""
    if declared is None or declared is Any or declared is typing.Any:
        return ANY
    if declared is Nothing or declared is type(None):
        return NOTHING
    if isinstance(declared, StepType):
        return declared
    if declared in _SCALAR_NAMES:
        return StepType(
            _SCALAR_NAMES[declared], declared, _instance_of(declared, _ARTICLES[declared])
        )
    origin = typing.get_origin(declared)
    args = typing.get_args(declared)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) == 1 and len(args) == 2:
            inner = resolve(members[0])
            inner_check = inner.type_check
            return StepType(
                f"{inner.display_name}?",
                typing.Optional[inner.typing_type],  # noqa: UP045 - the reference's spelling
                lambda v: None if v is None else inner_check(v),
            )
        return StepType(" | ".join(resolve(a).display_name for a in args), declared, None)
    if declared is list or origin is list:
        item = resolve(args[0]) if args else ANY
        return StepType(
            f"[{item.display_name}]",
            list[item.typing_type],
            _container(list, [item] if args else []),
        )
    if origin in (dict, tuple, set) or declared in (dict, tuple, set):
        python_type = origin or declared
        items = [resolve(a) for a in args if a is not Ellipsis]
        check = _container(python_type, items, variadic=Ellipsis in args)
        if not items:
            return StepType(python_type.__name__, python_type, check)
        names = ",".join(i.display_name for i in items)
        return StepType(f"{python_type.__name__.capitalize()}[{names}]", declared, check)
    if isinstance(declared, type):
        label = f"an instance of {declared.__module__}.{declared.__qualname__}"
        return StepType(
            declared.__name__,
            declared,
            lambda v: None if isinstance(v, declared) else _mismatch(v, label),
        )
    return StepType(getattr(declared, "__name__", repr(declared)), declared, None)


def declared_types(op: Any) -> tuple[dict[str, StepType], dict[str, StepType]]:
    """The declared type of each input and output of ``op``, by name.

    ``dagster_type=`` wins; otherwise a parameter's annotation types its input, and the
    return annotation types the one value output of a function that returns (not yields).
    """
    fn = op.compute_fn
    annotations = _annotations(fn)
    in_types = {
        name: resolve(spec.dagster_type if spec.dagster_type is not None else annotations.get(name))
        for name, spec in op.ins.items()
    }
    # Check outputs are typed Nothing; the annotation belongs to the one value output.
    valued = [name for name, spec in op.outs.items() if spec.dagster_type is not Nothing]
    returned = None
    if len(valued) == 1 and not op.signature.is_generator:
        returned = _unwrap_result(annotations.get("return"))
    out_types = {
        name: resolve(
            spec.dagster_type if spec.dagster_type is not None or name not in valued else returned
        )
        for name, spec in op.outs.items()
    }
    return in_types, out_types


def _annotations(fn: Any) -> dict[str, Any]:
    raw = getattr(inspect.unwrap(fn), "__annotations__", None)
    if not raw:
        return {}
    found = {}
    for name, annotation in raw.items():
        if isinstance(annotation, str):
            # A postponed annotation is evaluated in its module, as typing.get_type_hints does.
            try:
                annotation = eval(annotation, getattr(fn, "__globals__", {}))
            except Exception:
                continue
        found[name] = annotation
    return found


def _unwrap_result(annotation: Any) -> Any:
    """``Output[int]`` types its value; result objects (``MaterializeResult``...) type nothing."""
    from headwater.definitions.results import Output

    origin = typing.get_origin(annotation)
    if origin is Output:
        args = typing.get_args(annotation)
        return args[0] if args else None
    if isinstance(origin or annotation, type) and (origin or annotation).__module__.startswith(
        "headwater."
    ):
        return None
    return annotation
