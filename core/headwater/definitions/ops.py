"""The op model an `AssetsDefinition` wraps: `OpDefinition`, `In`, `Out`, `Nothing` and `@op`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from headwater.definitions._invocation import invoke_directly
from headwater.definitions._signature import FnSignature
from headwater.definitions.names import check_valid_name
from headwater.definitions.specs import EMPTY_FROZENSET, _to_dict
from headwater.errors import InvalidDefinitionError

DEFAULT_IO_MANAGER_KEY = "io_manager"


class Nothing:
    """The type of an input or output that carries no value, only ordering."""

    def __init__(self) -> None:
        raise TypeError("Nothing is a marker type; use the class itself, not an instance")


def is_nothing(dagster_type: Any) -> bool:
    """Whether a type is the `Nothing` marker."""
    return dagster_type is Nothing


@attrs.frozen
class In:
    """An op input.

    Args:
        dagster_type: the input's type; `Nothing` for ordering-only inputs.
        description: human-readable description.
        metadata: metadata handed to the input manager.
        asset_key: the asset this input loads, for ops used outside asset definitions (asset
            definitions keep their input keys in `keys_by_input_name`).
        input_manager_key: resource key of the manager that loads the value.
    """

    dagster_type: Any = None
    description: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict)
    asset_key: Any = None
    input_manager_key: str | None = None


@attrs.frozen
class Out:
    """An op output.

    Args:
        dagster_type: the output's type; `Nothing` when no value is stored.
        description: human-readable description.
        is_required: whether the function always produces this output.
        io_manager_key: resource key of the IO manager that stores the value.
        metadata: metadata handed to the IO manager.
        code_version: version of the code producing the output.
    """

    dagster_type: Any = None
    description: str | None = None
    is_required: bool = True
    io_manager_key: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_to_dict)
    code_version: str | None = None


_NO_OUTS = {"result": Out()}


class OpDefinition:
    """A named compute function with inputs, outputs, resources, tags and a retry policy.

    Args:
        compute_fn: the function.
        name: the op name (regex ``^[A-Za-z0-9_]+$``).
        ins: inputs by name; parameters of ``compute_fn`` not listed get a default `In`.
        outs: outputs by name; defaults to one output called ``"result"``.
        description: human-readable description.
        config_schema: schema of the op's run config (stored as given).
        required_resource_keys: resource keys the op needs besides annotated parameters.
        tags: op tags.
        retry_policy: how failing runs of the op are retried.
        code_version: version of the code.
        pool: concurrency pool name.
    """

    __slots__ = (
        "_signature",
        "code_version",
        "compute_fn",
        "config_schema",
        "description",
        "ins",
        "name",
        "outs",
        "pool",
        "required_resource_keys",
        "retry_policy",
        "tags",
    )

    def __init__(
        self,
        compute_fn: Callable[..., Any],
        name: str,
        ins: Mapping[str, In] | None = None,
        outs: Mapping[str, Out] | None = None,
        description: str | None = None,
        config_schema: Any = None,
        required_resource_keys: set[str] | frozenset[str] | None = None,
        tags: Mapping[str, Any] | None = None,
        retry_policy: Any = None,
        code_version: str | None = None,
        pool: str | None = None,
        *,
        _signature: FnSignature | None = None,
    ):
        self.name = check_valid_name(name)
        self.compute_fn = compute_fn
        signature = _signature if _signature is not None else FnSignature(compute_fn)
        self._signature = signature
        ins = dict(ins) if ins else {}
        for param in signature.data_params:
            if param not in ins:
                ins[param] = In()
        for input_name in ins:
            check_valid_name(input_name)
        self.ins = ins
        self.outs = outs if outs.__class__ is dict else dict(outs) if outs else _NO_OUTS
        self.description = description
        self.config_schema = config_schema
        keys = frozenset(required_resource_keys) if required_resource_keys else EMPTY_FROZENSET
        self.required_resource_keys = (
            keys | frozenset(signature.resource_params) if signature.resource_params else keys
        )
        self.tags = dict(tags) if tags else {}
        self.retry_policy = retry_policy
        self.code_version = code_version
        self.pool = pool

    def __repr__(self) -> str:
        return f"OpDefinition(name={self.name!r})"

    @property
    def signature(self) -> FnSignature:
        """The analysed parameters of the compute function."""
        return self._signature

    @property
    def config_type(self) -> Any:
        """The `Config` class of the config parameter, if the function has one."""
        return self._signature.config_type

    def _invoke(
        self,
        context: Any,
        inputs: Mapping[str, Any],
        resources: Mapping[str, Any] | None = None,
        config: Any = None,
    ) -> Any:
        """Call the compute function: the seam the execution engine uses.

        Args:
            context: passed to the context parameter, if there is one.
            inputs: values of the data parameters by name (missing ones use their defaults).
            resources: values of resource parameters; else read from ``context.resources``.
            config: the value for the config parameter.
        """
        sig = self._signature
        kwargs: dict[str, Any] = {}
        if sig.context_param is not None:
            kwargs[sig.context_param] = context
        for name in sig.data_params:
            if name in inputs:
                kwargs[name] = inputs[name]
        for name in sig.resource_params:
            if resources is not None and name in resources:
                kwargs[name] = resources[name]
            else:
                kwargs[name] = getattr(context.resources, name)
        if sig.config_param is not None:
            kwargs[sig.config_param] = config
        return self.compute_fn(**kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function directly: upstream values positionally or by name.

        Inside a `graph` function the call records a node and returns its output handles.
        """
        from headwater.definitions import graphs

        if graphs.is_composing():
            return graphs.compose_call(self, args, kwargs)
        return invoke_directly(self, args, kwargs)


def check_ins_against_params(
    fn_name: str, signature: FnSignature, ins: Mapping[str, Any] | None
) -> list[str]:
    """Check ``ins`` (`In` or `AssetIn` by name) against a function's data parameters.

    Returns:
        The names of the `Nothing` inputs, which must have no parameter.

    Raises:
        InvalidDefinitionError: an input other than a `Nothing` one names no parameter, or a
            `Nothing` input has a parameter.
    """
    ordering_only = []
    for name, spec in (ins or {}).items():
        nothing = is_nothing(spec.dagster_type)
        if nothing and name in signature.data_params:
            raise InvalidDefinitionError(
                f"'{fn_name}' has a parameter '{name}' but input '{name}' is of type Nothing, "
                "which passes no value; remove the parameter (the input still orders the call)."
            )
        if nothing:
            ordering_only.append(name)
        elif name not in signature.data_params:
            raise InvalidDefinitionError(
                f"Key '{name}' in provided ins dict does not correspond to any of the names of "
                f"the arguments to the decorated function '{fn_name}' "
                f"(arguments: {list(signature.data_params)}). Inputs without a parameter must "
                "have dagster_type=Nothing."
            )
    return ordering_only


def op(
    compute_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Any = None,
    required_resource_keys: set[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: Any = None,
    code_version: str | None = None,
    pool: str | None = None,
) -> Any:
    """Turn a function into an `OpDefinition`; usable bare (``@op``) or called (``@op(...)``).

    Raises:
        InvalidDefinitionError: a name is invalid or ``ins`` names an unknown parameter.
    """

    def decorate(fn: Callable[..., Any]) -> OpDefinition:
        import inspect

        signature = FnSignature(fn)
        check_ins_against_params(fn.__name__, signature, ins)
        if isinstance(out, Out):
            outs = {"result": out}
        elif out:
            outs = dict(out)
        else:
            outs = {"result": Out(dagster_type=Nothing)} if signature.returns_none else None
        return OpDefinition(
            fn,
            name or fn.__name__,
            ins=ins,
            outs=outs,
            description=description or (inspect.cleandoc(fn.__doc__) if fn.__doc__ else None),
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            tags=tags,
            retry_policy=retry_policy,
            code_version=code_version,
            pool=pool,
            _signature=signature,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate
