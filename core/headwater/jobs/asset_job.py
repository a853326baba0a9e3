"""`define_asset_job`: a named selection of assets, resolved against the asset graph later.

`define_asset_job` returns an `UnresolvedAssetJobDefinition`; nothing is checked until
``Definitions`` resolves it against its `AssetGraph` into a `ResolvedAssetJob`, the value the
execution engine builds its plan from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from headwater.asset_graph.graph import AssetGraph
from headwater.asset_graph.selection import AssetSelection
from headwater.definitions.keys import AssetKey
from headwater.errors import HeadwaterError, InvalidDefinitionError, InvalidSubsetError

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"


@attrs.frozen(eq=False)
class ResolvedAssetJob:
    """An asset job resolved against an asset graph: what a run of it executes.

    Attributes:
        name: the job name.
        asset_keys: the selected executable asset keys, parents before children.
        check_keys: the selected asset check keys.
        assets_defs: the definitions to execute, subset to the selection where needed.
        loadable_asset_keys: unselected keys that selected assets or checks read.
        partitions_def: the partitions definition shared by the selected assets, or None.
        asset_graph: the graph the job was resolved against.
    """

    name: str
    selection: AssetSelection
    asset_keys: tuple[AssetKey, ...]
    check_keys: frozenset[Any]
    assets_defs: tuple[Any, ...]
    loadable_asset_keys: frozenset[AssetKey]
    partitions_def: Any
    executor_def: Any
    config: Any
    description: str | None
    tags: Mapping[str, Any]
    run_tags: Mapping[str, Any]
    metadata: Mapping[str, Any]
    hooks: frozenset[Any]
    op_retry_policy: Any
    resources: Mapping[str, Any]
    asset_graph: AssetGraph

    def execute_in_process(
        self,
        run_config: Any = None,
        instance: Any = None,
        partition_key: str | None = None,
        raise_on_error: bool = True,
        op_selection: Sequence[str] | None = None,
        asset_selection: Sequence[AssetKey] | None = None,
        run_id: str | None = None,
        input_values: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> Any:
        """Run the job once in this process with the in-process executor.

        Args:
            run_config: run config; defaults to the job's ``config``.
            instance: the instance recording the run; an ephemeral one when None.
            partition_key: the partition to materialize, for partitioned assets.
            raise_on_error: raise the first step error instead of returning a failed result.
            op_selection: run only the assets of these ops (an asset's op is named after it),
                in the clause syntax of op jobs (``name``, ``*name``, ``name+``, ...).
            asset_selection: materialize only these `AssetKey` s (any asset of the job's asset
                graph), with the job's checks on them; None or empty runs the whole job.
            run_id: the run's id, a UUID string; a fresh one when None.
            input_values: values for the job's top-level inputs (asset jobs have none, so
                any name given is refused).
            tags: run tags, added to the job's run tags.
            resources: resources overriding the job's.

        Returns:
            The run's `ExecuteInProcessResult`.

        Raises:
            InvalidSubsetError: a selected key is not in the job's asset graph, an op name is
                not the job's, or the selection splits a multi-asset that cannot be subset.
            InvalidInvocationError: ``asset_selection`` is not a list of `AssetKey` s,
                ``op_selection`` not a list of strings, or ``run_id`` is not a UUID.
            InvalidDefinitionError: ``input_values`` names an input the job does not have.
        """
        from headwater.execution.run import execute_resolved_job
        from headwater.jobs.op_job import check_input_values, checked_run_id

        check_input_values(self.name, input_values)
        job = self
        if op_selection:
            job = self._subset(self._asset_keys_of_ops(op_selection))
        if asset_selection:
            job = job._subset(asset_selection)
        return execute_resolved_job(
            job,
            instance,
            run_config=run_config,
            resources=resources,
            tags=tags,
            partition_key=partition_key,
            raise_on_error=raise_on_error,
            run_id=checked_run_id(run_id),
        )

    def _asset_keys_of_ops(self, op_selection: Sequence[str]) -> list[AssetKey]:
        """The asset keys the job's ops named by ``op_selection`` materialize."""
        from headwater.jobs.op_job import selected_ops

        op_of = {key: ad.node_def.name for ad in self.assets_defs for key in ad.keys}
        parents: dict[str, set[str]] = {}
        for ad in self.assets_defs:
            upstream = parents.setdefault(ad.node_def.name, set())
            for key in ad.keys:
                upstream.update(op_of[p] for p in self.asset_graph.parents(key) if p in op_of)
            upstream.discard(ad.node_def.name)
        chosen = selected_ops(self.name, parents, op_selection)
        return [key for key, op in op_of.items() if op in chosen]

    def _subset(self, asset_selection: Sequence[AssetKey]) -> ResolvedAssetJob:
        """This job restricted to ``asset_selection`` and the job's checks on those assets."""
        from headwater.errors import InvalidInvocationError

        graph = self.asset_graph
        if isinstance(asset_selection, (str, AssetKey)) or not all(
            isinstance(key, AssetKey) for key in asset_selection
        ):
            raise InvalidInvocationError(
                f"asset_selection must be a list of AssetKey, got {asset_selection!r}; for "
                'example asset_selection=[AssetKey("my_asset")].'
            )
        unknown = sorted(k.to_user_string() for k in asset_selection if not graph.has(k))
        if unknown:
            raise InvalidSubsetError(
                f"asset_selection holds {unknown}, which no asset of job '{self.name}' "
                "produces. Check the spelling, and that the assets are in the Definitions."
            )
        keys = frozenset(k for k in asset_selection if graph.is_executable(k))
        checks = frozenset(c for c in self.check_keys if c.asset_key in keys)
        return attrs.evolve(
            self,
            asset_keys=tuple(sorted(keys, key=lambda key: (graph.level(key), key))),
            check_keys=checks,
            assets_defs=tuple(_assets_defs_to_execute(graph, keys, checks)),
            loadable_asset_keys=_loadable_keys(graph, keys, checks),
        )


@attrs.frozen(eq=False)
class UnresolvedAssetJobDefinition:
    """A job over an asset selection, not yet resolved; made by `define_asset_job`."""

    name: str
    selection: Any = None
    config: Any = None
    description: str | None = None
    tags: Mapping[str, Any] = attrs.field(factory=dict)
    run_tags: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    partitions_def: Any = None
    executor_def: Any = None
    hooks: frozenset[Any] = frozenset()
    op_retry_policy: Any = None

    def resolve(
        self,
        asset_graph: AssetGraph,
        default_executor_def: Any = None,
        resources: Mapping[str, Any] | None = None,
    ) -> ResolvedAssetJob:
        """Resolve the selection against ``asset_graph`` and validate the result.

        Raises:
            InvalidDefinitionError: "Failed to resolve asset job <name>: <cause>", with the
                cause (unknown keys, a split non-subsettable multi-asset, mixed partitions
                definitions, a bad selection string) chained.
        """
        try:
            return self._resolve(asset_graph, default_executor_def, resources or {})
        except HeadwaterError as error:
            raise InvalidDefinitionError(
                f"Failed to resolve asset job {self.name}: {error}"
            ) from error

    def _resolve(
        self, graph: AssetGraph, default_executor_def: Any, resources: Mapping[str, Any]
    ) -> ResolvedAssetJob:
        implicit = self.name == IMPLICIT_ASSET_JOB_NAME
        if self.selection is not None:
            selection = AssetSelection.from_coercible(self.selection)
        elif implicit:
            selection = AssetSelection.all() | AssetSelection.all_asset_checks()
        else:
            selection = AssetSelection.all()
        selected = selection.resolve(graph)
        check_keys = frozenset(selection.resolve_checks(graph))
        executable = sorted(
            (key for key in selected if graph.is_executable(key)),
            key=lambda key: (graph.level(key), key),
        )
        executable_set = frozenset(executable)
        assets_defs = _assets_defs_to_execute(graph, executable_set, check_keys)
        partitions_def = _common_partitions_def(
            graph, executable, self.partitions_def, allow_mixed=implicit
        )
        return ResolvedAssetJob(
            name=self.name,
            selection=selection,
            asset_keys=tuple(executable),
            check_keys=check_keys,
            assets_defs=tuple(assets_defs),
            loadable_asset_keys=_loadable_keys(graph, executable_set, check_keys),
            partitions_def=partitions_def,
            executor_def=self.executor_def
            if self.executor_def is not None
            else default_executor_def,
            config=self.config,
            description=self.description,
            tags=dict(self.tags),
            run_tags=dict(self.run_tags if self.run_tags is not None else self.tags),
            metadata=dict(self.metadata),
            hooks=self.hooks,
            op_retry_policy=self.op_retry_policy,
            resources=dict(resources),
            asset_graph=graph,
        )


def define_asset_job(
    name: str,
    selection: Any = None,
    config: Any = None,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    run_tags: Mapping[str, Any] | None = None,
    metadata: Mapping[str, Any] | None = None,
    partitions_def: Any = None,
    executor_def: Any = None,
    hooks: Any = None,
    op_retry_policy: Any = None,
) -> UnresolvedAssetJobDefinition:
    """Define a job that materializes (or observes) a selection of assets.

    Args:
        name: the job name (letters, digits and underscores).
        selection: an `AssetSelection`, a selection string, a list of strings, or a list of
            asset keys or asset definitions; None selects every materializable asset.
        config: run config used for every run of the job.
        description: human-readable description.
        tags: tags on the job (also applied to its runs unless ``run_tags`` is given).
        run_tags: tags applied to every run of the job.
        metadata: metadata about the job.
        partitions_def: the job's partitions definition (normally inferred from the assets).
        executor_def: how runs of the job execute (defaults to the Definitions' executor).
        hooks: success/failure hooks for the job's steps.
        op_retry_policy: default retry policy for every step of the job.

    Returns:
        An `UnresolvedAssetJobDefinition` to pass to ``Definitions(jobs=[...])``.
    """
    from headwater.definitions.names import check_valid_name

    if name != IMPLICIT_ASSET_JOB_NAME:
        check_valid_name(name, allow_reserved=True)
    return UnresolvedAssetJobDefinition(
        name=name,
        selection=selection,
        config=config,
        description=description,
        tags=dict(tags or {}),
        run_tags=dict(run_tags) if run_tags is not None else None,
        metadata=dict(metadata or {}),
        partitions_def=partitions_def,
        executor_def=executor_def,
        hooks=frozenset(hooks or ()),
        op_retry_policy=op_retry_policy,
    )


def implicit_asset_job() -> UnresolvedAssetJobDefinition:
    """The global job ``__ASSET_JOB``: every materializable asset and every check."""
    return UnresolvedAssetJobDefinition(name=IMPLICIT_ASSET_JOB_NAME)


def _assets_defs_to_execute(
    graph: AssetGraph, asset_keys: frozenset[AssetKey], check_keys: frozenset[Any]
) -> list[Any]:
    """The definitions producing the selection, each subset to its selected keys."""
    involved: dict[int, Any] = {}
    for key in asset_keys:
        ad = graph.assets_def(key)
        involved[id(ad)] = ad
    for check_key in check_keys:
        ad = graph.assets_def_for_check(check_key)
        involved[id(ad)] = ad
    out = []
    for ad in involved.values():
        chosen_assets = asset_keys & ad.keys
        chosen_checks = check_keys & ad.check_keys
        if chosen_assets == ad.keys and chosen_checks == ad.check_keys:
            out.append(ad)
            continue
        if not ad.can_subset and chosen_assets != ad.keys:
            raise InvalidSubsetError(
                f"Asset definition '{ad.node_def.name}' produces asset keys "
                f"{sorted(k.to_user_string() for k in ad.keys)} and check keys "
                f"{sorted(k.to_user_string() for k in ad.check_keys)}, but the selection "
                f"holds only assets {sorted(k.to_user_string() for k in chosen_assets)} and "
                f"checks {sorted(k.to_user_string() for k in chosen_checks)}. This "
                "AssetsDefinition does not support subsetting. Please select all asset and "
                "check keys produced by this asset (AssetSelection.required_multi_asset_"
                "neighbors() adds them)."
            )
        out.append(ad.subset_for(chosen_assets, chosen_checks))
    # Deterministic order: by the position of each definition's first key in the graph.
    return sorted(out, key=_definition_order(graph))


def _definition_order(graph: AssetGraph):
    def order(ad: Any) -> tuple[int, str]:
        keys = ad.keys or {ck.asset_key for ck in ad.check_keys}
        return min((graph.level(k), k.to_user_string()) for k in keys)

    return order


def _loadable_keys(
    graph: AssetGraph, asset_keys: frozenset[AssetKey], check_keys: frozenset[Any]
) -> frozenset[AssetKey]:
    read: set[AssetKey] = set()
    for key in asset_keys:
        read.update(graph.parents(key))
    for check_key in check_keys:
        read.add(check_key.asset_key)
        ad = graph.assets_def_for_check(check_key)
        for spec in ad.check_specs:
            if spec.key == check_key:
                read.update(dep.asset_key for dep in spec.additional_deps)
    return frozenset(read - asset_keys)


def _common_partitions_def(
    graph: AssetGraph, asset_keys: list[AssetKey], required: Any, *, allow_mixed: bool
) -> Any:
    """The single partitions definition of the selected assets (or ``required``)."""
    groups: list[tuple[Any, list[AssetKey]]] = []
    for key in asset_keys:
        partitions_def = graph.partitions_def(key)
        if partitions_def is None:
            continue
        if required is not None and partitions_def != required:
            raise InvalidDefinitionError(
                f"Asset {key.to_user_string()} has partitions definition {partitions_def}, "
                f"but the job was given partitions definition {required}. Select assets "
                "partitioned like the job, or leave the job's partitions_def unset."
            )
        for existing, keys in groups:
            if existing == partitions_def:
                keys.append(key)
                break
        else:
            groups.append((partitions_def, [key]))
    if required is not None:
        return required
    if len(groups) > 1:
        if allow_mixed:
            return None
        detail = "\n".join(
            f"  {pdef}: {[k.to_user_string() for k in keys]}" for pdef, keys in groups
        )
        raise InvalidDefinitionError(
            "Selected assets must have the same partitions definitions, but the selected "
            f"assets have different partitions definitions:\n{detail}\nSplit them into one "
            "job per partitions definition."
        )
    return groups[0][0] if groups else None
