"""Calling an asset or op function directly, as tests do: ``my_asset(context, upstream=1)``.

Arguments are sorted by the parameter they land on: the context, upstream inputs, resources
(initialised for the call and torn down after it) and config (checked against the op's config
type). Contexts are recognised by their binding method, so this layer imports no execution code.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from headwater.errors import InvalidInvocationError

_UNSET: Any = object()


def invoke_directly(op: Any, args: tuple, kwargs: dict[str, Any], assets_def: Any = None) -> Any:
    """Map direct-call arguments onto an op's parameters and call its function.

    Args:
        op: the `OpDefinition` whose function is called.
        args: positional arguments: a context first (when given), then parameters in order.
        kwargs: arguments by parameter name.
        assets_def: the `AssetsDefinition` being called, if any (the context is bound to it).

    Raises:
        InvalidInvocationError: a context is missing, an argument is unknown or an input or
            resource is missing.
        InvalidDefinitionError: a key in ``required_resource_keys`` has no resource.
        InvalidConfigError: the config does not match the op's config type.
    """
    sig = op.signature
    label = op.name
    args_list = list(args)
    context = _take_context(sig, label, args_list, kwargs)
    inputs, resources, config = _sort_arguments(op, label, args_list, kwargs)
    bindable = hasattr(context, "_bound_to")
    if bindable:
        context = context._bound_to(op, assets_def)
    context_resources = getattr(context, "resources", None)
    missing = [
        name
        for name in sig.resource_params
        if name not in resources and not hasattr(context_resources, name)
    ]
    if missing:
        raise InvalidInvocationError(
            f"'{label}' needs resource(s) {missing}; pass them as keyword arguments or in the "
            "context's resources."
        )
    if config is _UNSET:
        config = getattr(context, "op_config", None)
    config, op_config = _resolve_config(op, label, config)
    stack = contextlib.ExitStack()
    if resources:
        resources = _initialise(resources, stack)
    if bindable:
        _check_required_keys(op, label, context_resources, resources)
        context._use_call_values(op_config, resources)
    try:
        result = op._invoke(context, inputs, resources, config)
    except BaseException:
        stack.close()
        raise
    if not resources:
        return result
    if inspect.isgenerator(result):
        return _closing_generator(result, stack)
    if inspect.isasyncgen(result):
        return _closing_async_generator(result, stack)
    if inspect.iscoroutine(result):
        return _closing_coroutine(result, stack)
    stack.close()
    return result


def _is_context(value: Any) -> bool:
    return any(cls.__name__ == "OpExecutionContext" for cls in type(value).__mro__)


def _take_context(sig: Any, label: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Remove the context from the arguments and return it (None when there is none)."""
    param = sig.context_param
    if param is None:
        # A context may be given to a function that does not take one: it supplies the
        # resources and config.
        return args.pop(0) if args and _is_context(args[0]) else None
    if param in kwargs:
        return kwargs.pop(param)
    if args:
        # Any object is accepted, so tests may pass a stand-in for the context.
        return args.pop(0)
    raise InvalidInvocationError(
        f"'{label}' takes a context parameter '{param}' but no context was given; call it "
        "with a context first, e.g. build_asset_context()."
    )


def _positional_params(op: Any, kwargs: Mapping[str, Any]) -> list[str]:
    """The parameters positional arguments fill, in order: not the context, not named ones."""
    sig = op.signature
    return [
        param.name
        for param in inspect.signature(op.compute_fn).parameters.values()
        if param.kind in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD)
        and param.name != sig.context_param
        and param.name not in kwargs
    ]


def _sort_arguments(
    op: Any, label: str, args: list[Any], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Split the arguments into inputs, resources and config (``_UNSET`` when not given)."""
    sig = op.signature
    inputs: dict[str, Any] = {}
    resources: dict[str, Any] = {}
    config = _UNSET
    if args:
        params = _positional_params(op, kwargs)
        if len(args) > len(params):
            raise InvalidInvocationError(
                f"'{label}' takes {len(params)} positional argument(s) {params} after the "
                f"context and the named ones, but {len(args)} were given."
            )
        for name, value in zip(params, args):
            if name in sig.resource_params:
                resources[name] = value
            elif name == sig.config_param:
                config = value
            else:
                inputs[name] = value
    for name in sig.data_params:
        if name in kwargs:
            inputs[name] = kwargs.pop(name)
        elif name not in inputs and name not in sig.params_with_defaults:
            raise InvalidInvocationError(
                f"No value provided for input '{name}' of '{label}'; pass it positionally or "
                f"as {name}=..."
            )
    for name in sig.resource_params:
        if name in kwargs:
            resources[name] = kwargs.pop(name)
    if sig.config_param is not None and sig.config_param in kwargs:
        config = kwargs.pop(sig.config_param)
    if kwargs:
        from headwater.definitions.ops import is_nothing

        ordering_only = [
            name for name in kwargs if name in op.ins and is_nothing(op.ins[name].dagster_type)
        ]
        if ordering_only:
            raise InvalidInvocationError(
                f"'{label}' got a value for Nothing input(s) {ordering_only}; ordering-only "
                "inputs take no value when an op is called directly. Leave them out."
            )
        raise InvalidInvocationError(
            f"'{label}' got unexpected argument(s) {sorted(kwargs)}; it accepts inputs "
            f"{list(sig.data_params)}, resources {list(sig.resource_params)}"
            + (f" and config '{sig.config_param}'." if sig.config_param else ".")
        )
    return inputs, resources, config


def _resolve_config(op: Any, label: str, value: Any) -> tuple[Any, Any]:
    """The config parameter's value and ``context.op_config``, checked against the op's type.

    A `Config` parameter gets an instance (defaults filled in); ``context.op_config`` is the
    same config as plain data.
    """
    from headwater.resources._config import build_config, schema_class
    from headwater.resources._fields import FieldsBase, config_dict, structure_value

    schema = op.config_type or op.config_schema
    if schema is None:
        return value, value
    path = f"$.ops.{label}.config"
    cls = schema_class(schema, label)
    if isinstance(cls, type) and issubclass(cls, FieldsBase):
        built = build_config(cls, value, path)
        return (built if cls is schema else config_dict(built)), config_dict(built)
    built = structure_value(value, cls, path)
    return built, built


def _initialise(resources: Mapping[str, Any], stack: contextlib.ExitStack) -> Any:
    """Initialise resources given as arguments, as a run would; ``stack`` tears them down."""
    from headwater.resources import build_resources

    ordered = {key: resources[key] for key in sorted(resources)}
    return stack.enter_context(build_resources(ordered))


def _check_required_keys(
    op: Any, label: str, context_resources: Any, resources: Mapping[str, Any]
) -> None:
    from headwater.resources._build import raise_for_missing_resources

    required = op.required_resource_keys.difference(op.signature.resource_params)
    if required:
        raise_for_missing_resources({label: required}, [*context_resources, *resources])


def _closing_generator(result: Iterator[Any], stack: contextlib.ExitStack) -> Iterator[Any]:
    with stack:
        yield from result


async def _closing_async_generator(result: Any, stack: contextlib.ExitStack) -> AsyncIterator[Any]:
    with stack:
        async for item in result:
            yield item


async def _closing_coroutine(result: Any, stack: contextlib.ExitStack) -> Any:
    with stack:
        return await result
