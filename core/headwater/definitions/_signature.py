"""Reading a decorated function's parameters once, without `inspect.signature` when possible."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from headwater.errors import InvalidDefinitionError

_CONTEXT_CLASS_NAMES = frozenset(
    {
        "AssetExecutionContext",
        "OpExecutionContext",
        "AssetCheckExecutionContext",
        "ExecutionContext",
    }
)
_NO_DEFAULTS: frozenset[str] = frozenset()
_CO_GENERATOR = inspect.CO_GENERATOR
_CO_ASYNC = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _annotation_name(annotation: Any) -> str | None:
    if isinstance(annotation, str):
        return annotation.rpartition(".")[2]
    return getattr(annotation, "__name__", None)


_UNRESOLVED = object()


def _resolve(annotation: Any, fn: Callable[..., Any]) -> Any:
    """The annotation as an object; string annotations are evaluated in the function's module.

    Returns ``_UNRESOLVED`` for a string that does not evaluate there (a class defined inside a
    function, or imported only for type checking).
    """
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, getattr(fn, "__globals__", {}))
    except Exception:
        return _UNRESOLVED


def is_resource_class(annotation: Any) -> bool:
    """Whether an annotation is a resource class (``_headwater_resource = True``)."""
    return (
        isinstance(annotation, type) and getattr(annotation, "_headwater_resource", False) is True
    )


def is_config_class(annotation: Any) -> bool:
    """Whether an annotation is a run-config class (``_headwater_config = True``)."""
    return isinstance(annotation, type) and getattr(annotation, "_headwater_config", False) is True


class FnSignature:
    """What headwater needs to know about a compute function's parameters.

    Attributes:
        context_param: the parameter receiving the execution context, if any.
        data_params: parameters receiving upstream values, in order.
        resource_params: parameters annotated with a resource class.
        config_param: the parameter annotated with a `Config` class, if any.
        config_type: that class.
        params_with_defaults: parameters that have a default value.
        returns_none: the return annotation is ``None``.
        is_generator: the function yields its results.
        is_async: the function is a coroutine or async generator.
    """

    __slots__ = (
        "config_param",
        "config_type",
        "context_param",
        "data_params",
        "is_async",
        "is_generator",
        "params_with_defaults",
        "resource_params",
        "returns_none",
    )

    def __init__(self, fn: Callable[..., Any]):
        code = getattr(fn, "__code__", None)
        if code is None or "__wrapped__" in getattr(fn, "__dict__", ()):
            self._from_inspect(fn)
        else:
            n_pos = code.co_argcount
            names = code.co_varnames[: n_pos + code.co_kwonlyargcount]
            defaults = fn.__defaults__ or ()
            with_defaults = set(names[n_pos - len(defaults) : n_pos]) if defaults else set()
            if fn.__kwdefaults__:
                with_defaults.update(fn.__kwdefaults__)
            with_defaults = with_defaults or _NO_DEFAULTS
            self._classify(fn, names, fn.__annotations__, with_defaults)
            flags = code.co_flags
            self.is_generator = bool(flags & _CO_GENERATOR)
            self.is_async = bool(flags & _CO_ASYNC)

    def _from_inspect(self, fn: Callable[..., Any]) -> None:
        signature = inspect.signature(fn)
        names, annotations, with_defaults = [], {}, set()
        for param in signature.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            names.append(param.name)
            if param.annotation is not param.empty:
                annotations[param.name] = param.annotation
            if param.default is not param.empty:
                with_defaults.add(param.name)
        if signature.return_annotation is not signature.empty:
            annotations["return"] = signature.return_annotation
        self._classify(fn, tuple(names), annotations, with_defaults)
        target = inspect.unwrap(fn)
        self.is_generator = inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(
            target
        )
        self.is_async = inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)

    def _classify(
        self,
        fn: Callable[..., Any],
        names: tuple[str, ...],
        annotations: dict[str, Any],
        with_defaults: set[str],
    ) -> None:
        self.context_param = None
        self.config_param = None
        self.config_type = None
        self.params_with_defaults = frozenset(with_defaults) if with_defaults else _NO_DEFAULTS
        data: list[str] = []
        resources: list[str] = []
        for index, name in enumerate(names):
            annotation = annotations.get(name)
            if annotation is None:
                if index == 0 and name == "context":
                    self.context_param = name
                else:
                    data.append(name)
                continue
            if _annotation_name(annotation) in _CONTEXT_CLASS_NAMES or (
                index == 0 and name == "context"
            ):
                self.context_param = name
                continue
            resolved = _resolve(annotation, fn)
            if resolved is _UNRESOLVED and name == "config":
                raise InvalidDefinitionError(
                    f"Cannot resolve the annotation {annotation!r} of parameter 'config' of "
                    f"'{fn.__name__}': string annotations (from `from __future__ import "
                    "annotations`) are looked up in the module, so a Config class defined inside "
                    "a function is not found. Define the class at module level."
                )
            if is_resource_class(resolved):
                resources.append(name)
            elif is_config_class(resolved):
                self.config_param = name
                self.config_type = resolved
            else:
                data.append(name)
        self.data_params = tuple(data)
        self.resource_params = tuple(resources)
        returns = annotations.get("return", inspect.Parameter.empty)
        self.returns_none = returns is None or returns == "None"
