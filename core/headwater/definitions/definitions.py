"""`Definitions`: the assets, checks, jobs, schedules, sensors and resources of a location."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from headwater.definitions.assets import AssetsDefinition, external_assets_from_specs
from headwater.definitions.keys import AssetKey, CoercibleToAssetKey
from headwater.definitions.source import SourceAsset
from headwater.definitions.specs import AssetSpec
from headwater.errors import DuplicateDefinitionError, InvalidDefinitionError

IMPLICIT_ASSET_JOB_NAME = "__ASSET_JOB"


def _origin(item: Any) -> str:
    if isinstance(item, AssetsDefinition):
        module = item.source_module
        if module is not None:
            return f"module '{module}'"
        return "an AssetsDefinition" if item.is_materializable else "an external asset"
    if isinstance(item, SourceAsset):
        return "a SourceAsset"
    return "an AssetSpec"


def _merge_mapping(kind: str, mappings: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for mapping in mappings:
        for name, value in mapping.items():
            if name in merged and merged[name] is not value and merged[name] != value:
                raise InvalidDefinitionError(
                    f"Definitions.merge: {kind} '{name}' is given different values by two "
                    f"Definitions ({merged[name]!r} and {value!r}); give one of them another "
                    "key or pass the same object."
                )
            merged[name] = value
    return merged


def _resolve_deps_by_name(assets_defs: list[AssetsDefinition]) -> list[AssetsDefinition]:
    """Point each one-part dependency that names no asset at the one asset of that name in
    the dependent's group, when there is exactly one (as the reference does).

    ``@asset def cleaned(orders)`` then reads ``raw/orders`` from ``@asset(key_prefix="raw")
    def orders``. With two candidates (or none) the dependency stays unresolved, and using it
    reports the candidates.
    """
    keys = {key for assets_def in assets_defs for key in assets_def.keys}
    # Nearly always every dependency is a key: find that out with set operations first.
    unresolved = {
        dep.asset_key
        for assets_def in assets_defs
        for spec in assets_def.specs
        for dep in spec.deps
    }
    unresolved.difference_update(keys)
    if not any(len(key.path) == 1 for key in unresolved):
        return assets_defs
    by_group_and_name: dict[tuple[str | None, str], list[AssetKey]] | None = None
    resolved = []
    for assets_def in assets_defs:
        replacements: dict[AssetKey, AssetKey] = {}
        for spec in assets_def.specs:
            for dep in spec.deps:
                key = dep.asset_key
                if key not in unresolved or len(key.path) != 1 or key in replacements:
                    continue
                if by_group_and_name is None:  # built only when some dependency needs it
                    by_group_and_name = {}
                    for other in assets_defs:
                        for candidate in other.specs:
                            name = (candidate.group_name, candidate.key.path[-1])
                            by_group_and_name.setdefault(name, []).append(candidate.key)
                matches = by_group_and_name.get((spec.group_name, key.path[0]), [])
                if len(matches) == 1 and matches[0] not in assets_def.keys:
                    replacements[key] = matches[0]
        if replacements:
            assets_def = assets_def.with_attributes(asset_key_replacements=replacements)
        resolved.append(assets_def)
    return resolved


class Definitions:
    """Everything one code location defines.

    Building it does no work: assets are checked (duplicate keys, conflicting specs) and the
    graph and jobs are resolved on first use, or all at once by `Definitions.validate_loadable`.

    Args:
        assets: `asset` definitions, `AssetSpec`s (external assets) and `SourceAsset`s.
        asset_checks: `asset_check` definitions.
        jobs: asset jobs from `define_asset_job` and op jobs from `job`.
        schedules: schedule definitions.
        sensors: sensor definitions.
        resources: resources by key, available to every asset.
        executor: the default executor for jobs.
        loggers: loggers by name.
        metadata: metadata about the location.
    """

    __slots__ = (
        "_asset_graph",
        "_jobs_by_name",
        "_normalized",
        "_resolved_jobs_by_name",
        "_resources_checked",
        "asset_checks",
        "assets",
        "executor",
        "jobs",
        "loggers",
        "metadata",
        "resources",
        "schedules",
        "sensors",
    )

    def __init__(
        self,
        assets: Iterable[AssetsDefinition | AssetSpec | SourceAsset] | None = None,
        schedules: Iterable[Any] | None = None,
        sensors: Iterable[Any] | None = None,
        jobs: Iterable[Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        executor: Any = None,
        loggers: Mapping[str, Any] | None = None,
        asset_checks: Iterable[AssetsDefinition] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ):
        self.assets = tuple(assets or ())
        self.schedules = tuple(schedules or ())
        self.sensors = tuple(sensors or ())
        self.jobs = tuple(jobs or ())
        self.resources = dict(resources or {})
        self.executor = executor
        self.loggers = dict(loggers or {})
        self.asset_checks = tuple(asset_checks or ())
        self.metadata = dict(metadata or {})
        self._normalized: list[AssetsDefinition] | None = None
        self._asset_graph: Any = None
        self._jobs_by_name: dict[str, Any] | None = None
        self._resolved_jobs_by_name: dict[str, Any] = {}
        # 0: not checked; 1: resources checked; 2: resources and IO managers checked.
        self._resources_checked = False

    def __repr__(self) -> str:
        return (
            f"Definitions(assets={len(self.assets)}, asset_checks={len(self.asset_checks)}, "
            f"jobs={len(self.jobs)}, schedules={len(self.schedules)}, "
            f"sensors={len(self.sensors)}, resources={sorted(self.resources)})"
        )

    # -- assets -----------------------------------------------------------------------------

    def _normalized_assets(self) -> list[AssetsDefinition]:
        """Every asset and check as an `AssetsDefinition`, checked for duplicate keys.

        Bare specs become one external definition each (identical duplicates collapse);
        source assets become external (observable) definitions.

        Raises:
            InvalidDefinitionError: conflicting specs for one key.
            DuplicateDefinitionError: two definitions produce the same key.
        """
        if self._normalized is not None:
            return self._normalized
        result: list[AssetsDefinition] = []
        owner: dict[AssetKey, Any] = {}
        specs: dict[AssetKey, AssetSpec] = {}
        seen_ids: set[int] = set()

        def claim(key: AssetKey, item: Any) -> None:
            previous = owner.get(key)
            if previous is not None and previous is not item:
                raise DuplicateDefinitionError(
                    f"Duplicate asset key: {key!r}. It is defined in {_origin(previous)} and in "
                    f"{_origin(item)}; rename one of the assets or pass only one of them."
                )
            owner[key] = item

        for item in (*self.assets, *self.asset_checks):
            if id(item) in seen_ids:
                continue
            seen_ids.add(id(item))
            if isinstance(item, AssetSpec):
                existing = specs.get(item.key)
                if existing is not None:
                    if existing != item:
                        raise InvalidDefinitionError(
                            f"Received conflicting AssetSpecs with the same key: "
                            f"{item.key.to_user_string()}. {existing!r} differs from {item!r}; "
                            "pass one spec per key."
                        )
                    continue
                specs[item.key] = item
                claim(item.key, item)
            elif isinstance(item, SourceAsset):
                claim(item.key, item)
                result.append(item.to_assets_def())
            elif isinstance(item, AssetsDefinition):
                for key in item.keys:
                    claim(key, item)
                result.append(item)
            else:
                raise InvalidDefinitionError(
                    f"Definitions got {item!r} ({type(item).__name__}) in assets; pass "
                    "AssetsDefinitions (from @asset / @multi_asset), AssetSpecs, SourceAssets, "
                    "or @asset_check definitions in asset_checks."
                )
        result.extend(external_assets_from_specs([spec]) for spec in specs.values())
        self._normalized = _resolve_deps_by_name(result)
        return self._normalized

    def get_all_asset_specs(self) -> list[AssetSpec]:
        """The spec of every asset, materializable or external."""
        return [spec for assets_def in self._normalized_assets() for spec in assets_def.specs]

    resolve_all_asset_specs = get_all_asset_specs

    def get_assets_def(self, key: CoercibleToAssetKey) -> AssetsDefinition:
        """The definition producing ``key``.

        Raises:
            InvalidDefinitionError: no definition produces the key.
        """
        asset_key = AssetKey.from_coercible(key)
        for assets_def in self._normalized_assets():
            if asset_key in assets_def.keys:
                return assets_def
        from headwater.errors import did_you_mean

        known = {k.to_user_string(): k for d in self._normalized_assets() for k in d.keys}
        asked = asset_key.to_user_string()
        if asked in known:
            # "a/b" as one string is the single component 'a/b', not the key a -> b.
            raise InvalidDefinitionError(
                f"No asset with key {asset_key!r} in these Definitions; there is "
                f"{known[asked]!r}. A string is one key component: pass "
                f"{list(known[asked].path)!r} or AssetKey.from_user_string({asked!r})."
            )
        raise InvalidDefinitionError(
            f"No asset with key {asked} in these Definitions{did_you_mean(asked, list(known))}"
        )

    def resolve_assets_def(self, key: CoercibleToAssetKey) -> AssetsDefinition:
        """Same as `get_assets_def`."""
        return self.get_assets_def(key)

    def resolve_asset_graph(self) -> Any:
        """The asset graph of every asset and check (built once).

        Raises:
            CycleError: the dependencies have a cycle.
        """
        if self._asset_graph is None:
            from headwater.asset_graph.graph import AssetGraph

            self._asset_graph = AssetGraph.from_assets(self._normalized_assets())
        return self._asset_graph

    # -- jobs -------------------------------------------------------------------------------

    def _named(self, kind: str, items: Sequence[Any], names: set[str]) -> None:
        for item in items:
            name = getattr(item, "name", None)
            if name is None:
                raise InvalidDefinitionError(
                    f"Definitions got {item!r} in {kind}, which has no name."
                )
            if name in names:
                raise DuplicateDefinitionError(
                    f"Duplicate definition found for {name}: two {kind} (or a job, schedule or "
                    "sensor) share that name. Give each a unique name."
                )
            names.add(name)

    def _unresolved_jobs(self) -> dict[str, Any]:
        """Every job by name, as given; names are checked once for duplicates."""
        if self._jobs_by_name is None:
            names: set[str] = set()
            self._named("jobs", self.jobs, set())
            self._named("schedules", self.schedules, names)
            self._named("sensors", self.sensors, names)
            self._jobs_by_name = {job.name: job for job in self.jobs}
        return self._jobs_by_name

    def _check_resources(self) -> None:
        """Raise when an asset or a resource needs a resource that nobody provides."""
        if not self._resources_checked:
            from headwater.definitions.requirements import check_required_resources

            check_required_resources(self._normalized_assets(), self.resources)
            self._resources_checked = True

    def resolve_job_def(self, name: str) -> Any:
        """The resolved job called ``name``; each job is resolved on first use.

        Raises:
            InvalidDefinitionError: no such job, it failed to resolve, or an asset or resource
                needs a resource (or IO manager) that is not provided.
        """
        resolved = self._resolved_jobs_by_name.get(name)
        if resolved is not None:
            return resolved
        jobs = self._unresolved_jobs()
        if name not in jobs:
            from headwater.errors import did_you_mean

            raise InvalidDefinitionError(
                f"No job named '{name}' in these Definitions{did_you_mean(name, jobs)}. "
                f"Jobs: {sorted(jobs) or 'none'}."
            )
        self._check_resources()
        job = jobs[name]
        if hasattr(job, "resolve"):
            job = job.resolve(
                asset_graph=self.resolve_asset_graph(),
                default_executor_def=self.executor,
                resources=self.resources,
            )
        elif hasattr(job, "with_top_level_resources"):
            # An op job (@job): the location's resources and executor fill its gaps.
            job = job.with_top_level_resources(self.resources, self.executor)
        self._resolved_jobs_by_name[name] = job
        return job

    get_job_def = resolve_job_def

    def resolve_all_job_defs(self) -> list[Any]:
        """Every job, resolved.

        Raises:
            InvalidDefinitionError: as `resolve_job_def`, for the first job that fails.
        """
        return [self.resolve_job_def(name) for name in self._unresolved_jobs()]

    def get_implicit_global_asset_job_def(self) -> Any:
        """The job over every materializable asset, named ``__ASSET_JOB``.

        Raises:
            InvalidDefinitionError: an asset or resource needs a resource that is not provided.
        """
        from headwater.jobs.asset_job import define_asset_job

        self._check_resources()
        return define_asset_job(IMPLICIT_ASSET_JOB_NAME).resolve(
            asset_graph=self.resolve_asset_graph(),
            default_executor_def=self.executor,
            resources=self.resources,
        )

    resolve_implicit_global_asset_job_def = get_implicit_global_asset_job_def

    # -- stored values ----------------------------------------------------------------------

    def get_asset_value_loader(self, instance: Any = None) -> Any:
        """An `AssetValueLoader` over these assets; use it as a context manager.

        Without ``instance``, IO managers that need one get the instance in
        ``HEADWATER_HOME``.
        """
        from headwater.execution.value_loader import AssetValueLoader

        return AssetValueLoader(self, instance)

    def load_asset_value(
        self,
        asset_key: CoercibleToAssetKey,
        *,
        python_type: type | None = None,
        instance: Any = None,
        partition_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> object:
        """The stored value of ``asset_key``, loaded by its IO manager.

        Opens a loader for this one value; to load several, reuse one from
        `get_asset_value_loader`. ``metadata`` is what the IO manager sees as the input's.
        """
        with self.get_asset_value_loader(instance) as loader:
            return loader.load_asset_value(
                asset_key,
                python_type=python_type,
                partition_key=partition_key,
                input_definition_metadata=metadata,
            )

    # -- whole-object operations ------------------------------------------------------------

    @staticmethod
    def validate_loadable(defs: Definitions) -> None:
        """Check everything now: assets, the graph, and every job, schedule and sensor name.

        Raises:
            InvalidDefinitionError: the first problem found.
        """
        defs._normalized_assets()
        defs.resolve_asset_graph()
        defs._check_resources()
        defs.resolve_all_job_defs()

    @staticmethod
    def merge(*def_sets: Definitions) -> Definitions:
        """One `Definitions` with the contents of all; equal resources may repeat.

        Raises:
            InvalidDefinitionError: two sets give different resources, loggers or metadata
                under one key, or different executors.
        """
        executors = {id(d.executor): d.executor for d in def_sets if d.executor is not None}
        if len(executors) > 1:
            raise InvalidDefinitionError(
                "Definitions.merge: the Definitions set different executors "
                f"({', '.join(repr(e) for e in executors.values())}); set the executor on "
                "only one of them."
            )
        return Definitions(
            assets=[a for d in def_sets for a in d.assets],
            asset_checks=[c for d in def_sets for c in d.asset_checks],
            jobs=[j for d in def_sets for j in d.jobs],
            schedules=[s for d in def_sets for s in d.schedules],
            sensors=[s for d in def_sets for s in d.sensors],
            resources=_merge_mapping("resource", (d.resources for d in def_sets)),
            executor=next(iter(executors.values()), None),
            loggers=_merge_mapping("logger", (d.loggers for d in def_sets)),
            metadata=_merge_mapping("metadata entry", (d.metadata for d in def_sets)),
        )
