"""`@graph` and `GraphDefinition`: ops composed by calling them inside a function.

While a graph function runs, calling an op (or another graph) does not compute anything: it
records a node and returns handles to the node's outputs, which the next calls take as inputs.
`GraphDefinition.leaves` flattens nested graphs into the ops the engine runs, each named by its
path (``outer.inner.op``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from headwater.definitions.names import check_valid_name
from headwater.definitions.ops import DEFAULT_IO_MANAGER_KEY, In, OpDefinition, Out, is_nothing
from headwater.errors import InvalidDefinitionError, InvalidInvocationError


@attrs.frozen
class GraphIn:
    """A graph input.

    Args:
        description: human-readable description.
    """

    description: str | None = None


@attrs.frozen
class GraphOut:
    """A graph output.

    Args:
        description: human-readable description.
    """

    description: str | None = None


@attrs.frozen
class NodeOutputHandle:
    """What calling an op inside a graph returns: one output of one node."""

    node_name: str
    output_name: str


@attrs.frozen
class GraphInputHandle:
    """What a graph function receives for each of its inputs."""

    input_name: str


@attrs.frozen
class NodeInvocation:
    """One use of an op or graph inside a graph, and where each of its inputs comes from."""

    name: str
    node_def: Any
    input_sources: Mapping[str, NodeOutputHandle | GraphInputHandle]


@attrs.frozen
class FromStep:
    """A flattened input fed by output ``output`` of the leaf op at path ``step``."""

    step: str
    output: str


@attrs.frozen
class FromGraphInput:
    """A flattened input fed by input ``name`` of the outermost graph."""

    name: str


@attrs.frozen
class LeafOp:
    """An op of a flattened graph: its path (the step key), definition and input sources."""

    handle: str
    op: OpDefinition
    sources: Mapping[str, FromStep | FromGraphInput]


class _Composition:
    """The nodes recorded while one graph function runs."""

    __slots__ = ("graph_name", "nodes", "uses")

    def __init__(self, graph_name: str):
        self.graph_name = graph_name
        self.nodes: dict[str, NodeInvocation] = {}
        self.uses: dict[str, int] = {}


_ACTIVE: list[_Composition] = []


def is_composing() -> bool:
    """Whether a graph function is running, so node calls record nodes instead of computing."""
    return bool(_ACTIVE)


def compose_call(node_def: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    """Record a call of ``node_def`` in the running graph function and return its output handles.

    Returns one handle for a single output, else a tuple of handles in declaration order
    (their names are also attributes: ``outs.first``).

    Raises:
        InvalidDefinitionError: an argument is not an op output or graph input, names no
            input, or an input gets two values.
    """
    composition = _ACTIVE[-1]
    base = node_def.name
    count = composition.uses.get(base, 0) + 1
    composition.uses[base] = count
    name = base if count == 1 else f"{base}_{count}"
    label = f"'{name}' in graph '{composition.graph_name}'"
    input_names = _positional_input_names(node_def)
    if len(args) > len(input_names):
        raise InvalidDefinitionError(
            f"{label} takes {len(input_names)} input(s) {input_names} but got {len(args)} "
            "positional argument(s)."
        )
    given = dict(zip(input_names, args))
    for key, value in kwargs.items():
        if key not in node_def.ins:
            raise InvalidDefinitionError(
                f"{label} has no input '{key}'; its inputs are {input_names}."
            )
        if key in given:
            raise InvalidDefinitionError(f"{label} got two values for input '{key}'.")
        given[key] = value
    for key, value in given.items():
        if not isinstance(value, (NodeOutputHandle, GraphInputHandle)):
            raise InvalidDefinitionError(
                f"Input '{key}' of {label} got {value!r}; inside a graph, inputs must be "
                "outputs of other ops or inputs of the graph. Pass constants as op config."
            )
    composition.nodes[name] = NodeInvocation(name, node_def, given)
    handles = [NodeOutputHandle(name, out) for out in node_def.outs]
    if len(handles) == 1:
        return handles[0]
    return _Outputs(list(node_def.outs), handles)


def _positional_input_names(node_def: Any) -> list[str]:
    """Input names in the order positional arguments fill them.

    An op's parameters come first, in the function's order, then its `Nothing` inputs.
    """
    signature = getattr(node_def, "signature", None)
    if signature is None:
        return list(node_def.ins)
    params = list(signature.data_params)
    return params + [name for name in node_def.ins if name not in params]


class _Outputs(tuple):
    """The output handles of a multi-output node: unpack it, or read outputs by name."""

    _names: tuple[str, ...]

    def __new__(cls, names: Sequence[str], handles: Sequence[NodeOutputHandle]) -> _Outputs:
        obj = super().__new__(cls, handles)
        obj._names = tuple(names)
        return obj

    def __getattr__(self, name: str) -> NodeOutputHandle:
        names = object.__getattribute__(self, "_names")
        if name in names:
            return self[names.index(name)]
        raise AttributeError(f"No output named '{name}'; outputs: {list(names)}")


class GraphDefinition:
    """Ops (and graphs) wired together; run it as a job, or wrap it as graph-backed assets.

    Usually built by `graph`. Inputs of the graph are the function's parameters; outputs
    map to outputs of the nodes inside.

    Attributes:
        name: the graph name.
        nodes: each node invocation by its name in the graph (``o1``, ``o1_2`` for a second use).
        ins: an `In` per graph input (``Nothing`` when every consumer is ordering-only).
        outs: an `Out` per graph output, taking the IO manager of the inner output it maps to.
        output_mappings: the inner node output behind each graph output.
    """

    __slots__ = (
        "_flat",
        "_input_names",
        "description",
        "input_descriptions",
        "ins",
        "name",
        "nodes",
        "output_mappings",
        "outs",
        "tags",
    )

    def __init__(
        self,
        name: str,
        nodes: Mapping[str, NodeInvocation],
        input_names: Sequence[str] = (),
        output_mappings: Mapping[str, NodeOutputHandle] | None = None,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
        input_descriptions: Mapping[str, str | None] | None = None,
    ):
        self.name = check_valid_name(name)
        self.nodes = dict(nodes)
        self.description = description
        self.tags = dict(tags or {})
        self.output_mappings = dict(output_mappings or {})
        self.input_descriptions = dict(input_descriptions or {})
        _check_node_names(self)
        self._flat: tuple[list[LeafOp], dict[str, FromStep]] | None = None
        self._input_names = tuple(input_names)
        self.ins = {name: self._graph_in(name) for name in input_names}
        self.outs = {name: self._graph_out(name) for name in self.output_mappings}

    def __repr__(self) -> str:
        return f"GraphDefinition(name={self.name!r})"

    @property
    def node_defs(self) -> list[Any]:
        """The distinct op and graph definitions used, in first-use order."""
        seen: dict[int, Any] = {}
        for node in self.nodes.values():
            seen.setdefault(id(node.node_def), node.node_def)
        return list(seen.values())

    @property
    def required_resource_keys(self) -> frozenset[str]:
        """The resources of every op inside, plus the IO managers of their outputs."""
        keys: set[str] = set()
        for leaf in self.leaves():
            keys.update(leaf_resource_keys(leaf.op))
        return frozenset(keys)

    @property
    def retry_policy(self) -> Any:
        """Graphs have no retry policy of their own; each op's applies to its step."""
        return None

    @property
    def code_version(self) -> str | None:
        """Graphs have no code version of their own."""
        return None

    @property
    def config_schema(self) -> Any:
        """Graphs take no config of their own; their ops do, under ``ops.<graph>.ops``."""
        return None

    config_type = config_schema

    # -- flattening -------------------------------------------------------------------------

    def leaves(self) -> list[LeafOp]:
        """Every op inside, nested graphs flattened, in dependency order (paths unprefixed)."""
        return self._flatten()[0]

    def leaf_outputs(self) -> dict[str, FromStep]:
        """The leaf op output behind each graph output."""
        return self._flatten()[1]

    def _flatten(self) -> tuple[list[LeafOp], dict[str, FromStep]]:
        if self._flat is None:
            leaves: list[LeafOp] = []
            bindings = {name: FromGraphInput(name) for name in self._input_names}
            outputs = _flatten_into(self, "", bindings, leaves)
            self._flat = (leaves, outputs)
        return self._flat

    def _graph_in(self, name: str) -> In:
        consumers = [
            leaf.op.ins[input_name]
            for leaf in self.leaves()
            for input_name, source in leaf.sources.items()
            if source == FromGraphInput(name)
        ]
        nothing = bool(consumers) and all(is_nothing(c.dagster_type) for c in consumers)
        managers = {c.input_manager_key for c in consumers if c.input_manager_key}
        return In(
            dagster_type=consumers[0].dagster_type if nothing else None,
            description=self.input_descriptions.get(name),
            input_manager_key=next(iter(managers)) if len(managers) == 1 else None,
        )

    def _graph_out(self, name: str) -> Out:
        source = self.leaf_outputs()[name]
        leaf = next(leaf for leaf in self.leaves() if leaf.handle == source.step)
        inner = leaf.op.outs[source.output]
        return Out(
            dagster_type=inner.dagster_type,
            is_required=inner.is_required,
            io_manager_key=inner.io_manager_key,
            metadata=inner.metadata,
            code_version=inner.code_version,
        )

    # -- use --------------------------------------------------------------------------------

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Use this graph as a node inside another graph function.

        Raises:
            InvalidInvocationError: called outside a graph function.
        """
        if is_composing():
            return compose_call(self, args, kwargs)
        raise InvalidInvocationError(
            f"Graph '{self.name}' was called outside a graph function. Graphs compute nothing "
            "when called; run it with execute_in_process() or use it inside another @graph."
        )

    def to_job(
        self,
        name: str | None = None,
        description: str | None = None,
        resource_defs: Mapping[str, Any] | None = None,
        config: Any = None,
        tags: Mapping[str, Any] | None = None,
        run_tags: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        executor_def: Any = None,
        op_retry_policy: Any = None,
    ) -> Any:
        """A `JobDefinition` that runs this graph (named after the graph unless ``name``).

        Raises:
            InvalidDefinitionError: the graph has inputs (a job has nothing to feed them).
        """
        from headwater.jobs.op_job import JobDefinition

        return JobDefinition(
            graph_def=self,
            name=name,
            description=description,
            resource_defs=resource_defs,
            config=config,
            tags=tags,
            run_tags=run_tags,
            metadata=metadata,
            executor_def=executor_def,
            op_retry_policy=op_retry_policy,
        )

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        resources: Mapping[str, Any] | None = None,
        raise_on_error: bool = True,
        tags: Mapping[str, str] | None = None,
    ) -> Any:
        """Run the graph once in this process, as a job of the same name.

        Returns:
            The run's `ExecuteInProcessResult`.
        """
        return self.to_job(resource_defs=resources).execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=raise_on_error, tags=tags
        )


def leaf_resource_keys(op: OpDefinition) -> frozenset[str]:
    """The resources one op needs: its own, its outputs' IO managers and input managers."""
    keys = set(op.required_resource_keys)
    for out in op.outs.values():
        if not is_nothing(out.dagster_type):
            keys.add(out.io_manager_key or DEFAULT_IO_MANAGER_KEY)
    for spec_in in op.ins.values():
        if spec_in.input_manager_key:
            keys.add(spec_in.input_manager_key)
    return frozenset(keys)


def _check_node_names(graph: GraphDefinition) -> None:
    by_name: dict[str, Any] = {}
    for node in graph.nodes.values():
        previous = by_name.setdefault(node.node_def.name, node.node_def)
        if previous is not node.node_def:
            raise InvalidDefinitionError(
                f'Detected conflicting node definitions with the same name "{node.node_def.name}" '
                f"in graph '{graph.name}'. Rename one of the ops."
            )


def _flatten_into(
    graph: GraphDefinition,
    prefix: str,
    bindings: Mapping[str, FromStep | FromGraphInput],
    leaves: list[LeafOp],
) -> dict[str, FromStep]:
    """Append the leaves of ``graph`` (paths under ``prefix``) and return its output sources.

    Recursion depth is the nesting depth of graphs written by hand, never the size of a graph.
    """
    resolved_outputs: dict[str, dict[str, FromStep]] = {}

    def resolve(source: NodeOutputHandle | GraphInputHandle) -> FromStep | FromGraphInput:
        if isinstance(source, GraphInputHandle):
            return bindings[source.input_name]
        return resolved_outputs[source.node_name][source.output_name]

    for node in graph.nodes.values():
        sources = {name: resolve(source) for name, source in node.input_sources.items()}
        path = f"{prefix}{node.name}"
        if isinstance(node.node_def, GraphDefinition):
            resolved_outputs[node.name] = _flatten_into(node.node_def, f"{path}.", sources, leaves)
        else:
            leaves.append(LeafOp(path, node.node_def, sources))
            resolved_outputs[node.name] = {out: FromStep(path, out) for out in node.node_def.outs}
    return {
        name: resolved_outputs[handle.node_name][handle.output_name]
        for name, handle in graph.output_mappings.items()
    }


def compose(
    fn: Callable[..., Any],
    name: str,
    ins: Mapping[str, Any] | None = None,
    out: Any = None,
    label: str = "@graph",
) -> tuple[dict[str, NodeInvocation], list[str], dict[str, NodeOutputHandle]]:
    """Run a graph function with handles for its inputs and record what it composes.

    Returns:
        The nodes, the graph input names, and the node output behind each graph output.

    Raises:
        InvalidDefinitionError: the function returns something other than node outputs, or
            its outputs do not match ``out``.
    """
    params = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    for input_name in ins or {}:
        if input_name not in params:
            raise InvalidDefinitionError(
                f"Key '{input_name}' in provided ins dict does not correspond to any of the "
                f"names of the arguments to the decorated function '{fn.__name__}' "
                f"(arguments: {params})."
            )
    composition = _Composition(name)
    _ACTIVE.append(composition)
    try:
        returned = fn(**{param: GraphInputHandle(param) for param in params})
    finally:
        _ACTIVE.pop()
    outputs = _output_mappings(returned, out, f"{label} '{name}'")
    return composition.nodes, params, outputs


def _output_mappings(returned: Any, out: Any, label: str) -> dict[str, NodeOutputHandle]:
    declared = list(out) if isinstance(out, Mapping) else None
    if returned is None:
        if declared:
            raise InvalidDefinitionError(
                f"{label} declares outputs {declared} but its function returned nothing; "
                "return the op outputs that feed them."
            )
        return {}
    if isinstance(returned, NodeOutputHandle):
        if declared is not None and len(declared) != 1:
            raise InvalidDefinitionError(
                f"{label} declares outputs {declared} but returned one op output; return a "
                "dict or tuple with one op output per graph output."
            )
        return {declared[0] if declared else "result": returned}
    if isinstance(returned, Mapping):
        mapping = dict(returned)
    elif isinstance(returned, tuple) and declared is not None:
        if len(returned) != len(declared):
            raise InvalidDefinitionError(
                f"{label} declares outputs {declared} but returned {len(returned)} values."
            )
        mapping = dict(zip(declared, returned))
    else:
        raise InvalidDefinitionError(
            f"{label} returned {returned!r}; a graph function returns the output of an op "
            "call, a dict of them by output name, or nothing."
        )
    for key, value in mapping.items():
        if not isinstance(value, NodeOutputHandle):
            raise InvalidDefinitionError(
                f"{label} maps output '{key}' to {value!r}, which is not the output of an op "
                "called in the graph."
            )
    if declared is not None and set(mapping) != set(declared):
        raise InvalidDefinitionError(
            f"{label} returned outputs {sorted(mapping)} but declares {declared}."
        )
    return mapping


def graph(
    compose_fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, GraphIn] | None = None,
    out: GraphOut | Mapping[str, GraphOut] | None = None,
    tags: Mapping[str, Any] | None = None,
) -> Any:
    """Compose ops into a `GraphDefinition`; usable bare (``@graph``) or called (``@graph(...)``).

    The function's parameters are the graph inputs; calling ops inside it wires them
    together; what it returns (an op output, or a dict of them by name) are the graph
    outputs. Declare several outputs with ``out={"a": GraphOut(), ...}`` and return a dict or
    a tuple in that order.

    Raises:
        InvalidDefinitionError: an invalid name, an op called with a constant, or outputs
            that do not match ``out``.
    """

    def decorate(fn: Callable[..., Any]) -> GraphDefinition:
        graph_name = name or fn.__name__
        outs = out if isinstance(out, Mapping) else None
        nodes, params, outputs = compose(fn, graph_name, ins, outs)
        return GraphDefinition(
            graph_name,
            nodes,
            input_names=params,
            output_mappings=outputs,
            description=description or (inspect.cleandoc(fn.__doc__) if fn.__doc__ else None),
            tags=tags,
            input_descriptions={k: v.description for k, v in (ins or {}).items()},
        )

    return decorate(compose_fn) if compose_fn is not None else decorate


def flatten_graph_op_config(run_config: Any) -> Any:
    """Run config with nested graph sections addressed by step key.

    ``{"ops": {"ga": {"ops": {"o1": {"config": ...}}}}}`` becomes
    ``{"ops": {"ga.o1": {"config": ...}}}``; run config without nesting is returned as is.
    """
    from headwater.resources._run_config import RunConfig

    ops = run_config.ops if isinstance(run_config, RunConfig) else None
    if ops is None:
        if not isinstance(run_config, Mapping) or not isinstance(run_config.get("ops"), Mapping):
            return run_config
        ops = run_config["ops"]
    if not any(_is_graph_section(value) for value in ops.values()):
        return run_config
    flat: dict[str, Any] = {}
    stack = [("", ops)]
    while stack:
        prefix, section = stack.pop()
        for name, value in section.items():
            if _is_graph_section(value):
                stack.append((f"{prefix}{name}.", value["ops"]))
            else:
                flat[f"{prefix}{name}"] = value
    if isinstance(run_config, RunConfig):
        return RunConfig(
            ops=flat,
            resources=run_config.resources,
            loggers=run_config.loggers,
            execution=run_config.execution,
        )
    return {**run_config, "ops": flat}


def _is_graph_section(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"ops"}
