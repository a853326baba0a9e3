"""`Instance`: where runs, events and asset values of one headwater installation live."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headwater.definitions.keys import AssetKey
from headwater.errors import HomeNotSetError, InvariantViolationError
from headwater.instance.config import InstanceSettings, load_settings, resolve_storage_url
from headwater.storage.runs import (
    PARTITION_TAG,
    DagsterRun,
    DagsterRunStatus,
    RunRecord,
    RunsFilter,
)

# The event classes are imported where events are built, not here: opening an instance to
# list or load code locations should not pay for them.
if TYPE_CHECKING:
    from headwater._plugins import HeadwaterPluginManager
    from headwater.events.assets import (
        AssetCheckEvaluation,
        AssetMaterialization,
        AssetObservation,
    )
    from headwater.events.log import DagsterEvent, EventLogEntry
    from headwater.events.records import (
        AssetRecord,
        AssetRecordsFilter,
        EventLogRecord,
        EventRecordsFilter,
        EventRecordsResult,
    )
    from headwater.events.types import DagsterEventType
    from headwater.storage.sql import SqlStorage

HOME_ENV_VAR = "HEADWATER_HOME"
DEFAULT_HOME = ".headwater"


def storage_opener(
    url: str, backend: str | None = None, *, context: str = ""
) -> Callable[[], SqlStorage]:
    """A function that opens the storage for ``url``, found now, opened when called.

    The backend comes from the ``register_storage_backends`` hook (by name, else by the URL's
    scheme), so an installed plugin can provide or replace the backend of any scheme. An
    unknown backend is reported here; connection and schema errors when the opener runs.
    """
    from headwater._plugins import lookup_storage_backend

    return functools.partial(lookup_storage_backend(backend or url, context=context), url)


def open_storage(url: str, backend: str | None = None, *, context: str = "") -> SqlStorage:
    """Open the storage for ``url`` through the backend registered for its scheme (or name)."""
    return storage_opener(url, backend, context=context)()


def _remove_tree(directory: Path, owner_pid: int) -> None:
    # Forked workers inherit the instance (and this finalizer); only its creator removes.
    if os.getpid() == owner_pid:
        shutil.rmtree(directory, ignore_errors=True)


class Instance:
    """One headwater installation: its storage, its settings and its files.

    Get one with `Instance.get` (from ``HEADWATER_HOME``), `Instance.ephemeral` (in memory,
    for tests and `materialize`) or `Instance.local_temp` (a temporary directory). Use it as
    a context manager, or call `dispose`, to release its connections and temporary files.
    """

    def __init__(
        self,
        storage: SqlStorage | Callable[[], SqlStorage],
        root_directory: str | os.PathLike[str],
        settings: InstanceSettings | None = None,
    ):
        # A callable opens the storage on first use: commands that never touch runs or
        # events (listing code locations, say) then skip importing and opening the database.
        if callable(storage):
            self._open_storage = storage
        else:
            self._adopt(storage)
        self._root = Path(root_directory)
        self._settings = settings or InstanceSettings()
        self._cleanup: Callable[[], Any] | None = None
        self._disposed = False
        self.plugin_manager.hook.configure(instance=self)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def get(cls) -> Instance:
        """The instance in ``$HEADWATER_HOME`` (default ``./.headwater``), created on first use.

        Raises:
            HomeNotSetError: the home path exists but is not a directory, or cannot be created.
            InvalidConfigError: ``headwater.toml`` there is invalid.
            PluginNotFoundError: no installed backend serves the configured storage URL.

        The database is opened on first use, so schema errors (`MigrationError`) surface
        then; commands that never touch storage never open it.
        """
        home = Path(os.environ.get(HOME_ENV_VAR) or DEFAULT_HOME).expanduser().resolve()
        if home.exists() and not home.is_dir():
            raise HomeNotSetError(
                f"{HOME_ENV_VAR} points at {home}, which is a file, not a directory. "
                f"Set {HOME_ENV_VAR} to a directory (it is created if missing)."
            )
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HomeNotSetError(
                f"Cannot create the headwater home directory {home}: {exc}. "
                f"Set {HOME_ENV_VAR} to a writable directory."
            ) from exc
        return cls.from_directory(home)

    @classmethod
    def from_directory(
        cls, home: str | os.PathLike[str], *, overrides: Mapping[str, Any] | None = None
    ) -> Instance:
        """The instance whose home is ``home`` (reads its ``headwater.toml``).

        Args:
            home: the home directory.
            overrides: settings laid over the file's, with the same keys (``storage``,
                ``io_manager``, ``executor``, ``plugins``); tables are merged key by key.
        """
        home = Path(home)
        settings = load_settings(home, overrides)
        url = resolve_storage_url(settings.storage_url, home)
        context = f"config $.storage.url in {home / 'headwater.toml'}"
        return cls(storage_opener(url, settings.storage_backend, context=context), home, settings)

    @classmethod
    def ephemeral(cls, tempdir: str | None = None) -> Instance:
        """An in-memory instance (SQLite in memory, files in a temporary directory).

        Everything is lost at `dispose`, or once the instance is no longer referenced. The
        storage is shared by all threads of the process.
        """
        root = Path(tempfile.mkdtemp(prefix="headwater-", dir=tempdir))
        storage = open_storage("sqlite://", context="the ephemeral instance")
        instance = cls(storage, root)
        instance._remove_when_done(root)
        return instance

    @classmethod
    def local_temp(cls, tempdir: str | os.PathLike[str] | None = None) -> Instance:
        """An instance with its home in ``tempdir`` (a new temporary directory if None).

        A directory created here is removed at `dispose` (or once the instance is no longer
        referenced); a given one is left in place.
        """
        if tempdir is not None:
            home = Path(tempdir)
            home.mkdir(parents=True, exist_ok=True)
            return cls.from_directory(home)
        home = Path(tempfile.mkdtemp(prefix="headwater-home-"))
        instance = cls.from_directory(home)
        instance._remove_when_done(home)
        return instance

    def _remove_when_done(self, directory: Path) -> None:
        # At `dispose`, or when the instance is freed undisposed (a `materialize` without an
        # instance leaves its ephemeral one to its result), or at interpreter exit.
        self._cleanup = weakref.finalize(self, _remove_tree, directory, os.getpid())

    @functools.cached_property
    def _storage(self) -> SqlStorage:
        return self._adopt(self._open_storage())

    def _adopt(self, storage: SqlStorage) -> SqlStorage:
        """Make ``storage`` this instance's, closed at `dispose` or when the instance is freed.

        Scripts often drop an instance without disposing it; closing its connections then
        keeps them from leaking (Python 3.13 warns about unclosed SQLite connections).
        """
        self.__dict__["_storage"] = storage
        weakref.finalize(self, storage.dispose)
        return storage

    @property
    def plugin_manager(self) -> HeadwaterPluginManager:
        """The process's plugin manager: hooks, registries and plugin infos."""
        from headwater._plugins import get_plugin_manager

        return get_plugin_manager()

    def dispose(self) -> None:
        """Stop plugins' clients, close the storage's connections, remove temporary files."""
        if self._disposed:
            return
        self._disposed = True
        self.plugin_manager.hook.unconfigure(instance=self)
        if "_storage" in self.__dict__:
            self._storage.dispose()
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None

    def __enter__(self) -> Instance:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    # -- where things live --------------------------------------------------------------------

    @property
    def root_directory(self) -> str:
        """The instance's home directory."""
        return str(self._root)

    def storage_directory(self) -> str:
        """The base directory of the filesystem IO manager (``<home>/storage``)."""
        return str(self._root / "storage")

    @property
    def settings(self) -> InstanceSettings:
        """What ``headwater.toml`` configured (defaults for an ephemeral instance)."""
        return self._settings

    @property
    def storage(self) -> SqlStorage:
        """The storage backend holding runs, events and indexes."""
        return self._storage

    @property
    def event_log_storage(self) -> SqlStorage:
        """The storage, under the name scripts written for the reference API use."""
        return self._storage

    @property
    def run_storage(self) -> SqlStorage:
        """The storage, under the name scripts written for the reference API use."""
        return self._storage

    def upgrade(self) -> tuple[str | None, str]:
        """Apply pending schema migrations; returns (revision before, revision after)."""
        if "_storage" not in self.__dict__:
            # Opening normally refuses an out-of-date schema: the very thing to migrate.
            self._adopt(self._open_storage(check_schema=False))
        return self._storage.upgrade()

    migrate = upgrade

    # -- runs ---------------------------------------------------------------------------------

    def create_run(
        self,
        job_name: str,
        *,
        run_id: str | None = None,
        run_config: Mapping[str, Any] | None = None,
        status: DagsterRunStatus = DagsterRunStatus.NOT_STARTED,
        tags: Mapping[str, str] | None = None,
        asset_selection: Iterable[AssetKey] | None = None,
        asset_check_selection: Iterable[Any] | None = None,
        parent_run_id: str | None = None,
        root_run_id: str | None = None,
        partitions_defs: Mapping[AssetKey, Any] | None = None,
        observed_asset_keys: Iterable[AssetKey] = (),
        step_keys: Mapping[Any, str] | None = None,
    ) -> DagsterRun:
        """Record a new run, with ASSET_MATERIALIZATION_PLANNED per selected asset and
        ASSET_CHECK_EVALUATION_PLANNED per selected check, in one transaction.

        Selected keys listed in ``observed_asset_keys`` are observed, not materialized, by
        the run, so they get no planned event.

        With ``partitions_defs`` (asset key -> partitions definition) and a partition or
        partition range tag, the targeted partitions of those assets read as in progress
        until the run ends. ``step_keys`` (asset or check key -> the step that produces it)
        gives the planned events their step key.

        Raises:
            InvariantViolationError: ``run_id`` is taken.
        """
        from headwater.events.assets import AssetCheckEvaluationPlanned
        from headwater.events.data import AssetMaterializationPlannedData
        from headwater.events.log import DagsterEvent, EventLogEntry
        from headwater.events.types import DagsterEventType

        run = DagsterRun(
            job_name=job_name,
            run_id=run_id or str(uuid.uuid4()),
            status=status,
            tags=tags or {},
            run_config=run_config or {},
            asset_selection=asset_selection,
            asset_check_selection=asset_check_selection,
            parent_run_id=parent_run_id,
            root_run_id=root_run_id,
        )
        step_keys = step_keys or {}
        planned = [
            EventLogEntry.from_event(
                DagsterEvent.build(
                    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                    job_name,
                    step_key=step_keys.get(key),
                    message=f"{job_name} intends to materialize asset {key.to_user_string()}",
                    event_specific_data=AssetMaterializationPlannedData(
                        key, partition=run.tags.get(PARTITION_TAG)
                    ),
                ),
                run.run_id,
            )
            for key in sorted(frozenset(run.asset_selection or ()) - frozenset(observed_asset_keys))
        ]
        planned += [
            EventLogEntry.from_event(
                DagsterEvent.build(
                    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
                    job_name,
                    step_key=step_keys.get(check),
                    message=f"{job_name} intends to execute asset check {check.name} on "
                    f"asset {check.asset_key.to_user_string()}",
                    event_specific_data=AssetCheckEvaluationPlanned(check.asset_key, check.name),
                ),
                run.run_id,
            )
            for check in sorted(run.asset_check_selection or (), key=_check_sort_key)
        ]
        in_progress = _targeted_subsets(run, partitions_defs, self) if partitions_defs else None
        self._storage.add_run(run, planned, in_progress)
        self._notify(planned)
        return run

    def get_run_by_id(self, run_id: str) -> DagsterRun | None:
        """The run with this id, or None."""
        return self._storage.get_run_by_id(run_id)

    def get_runs(
        self,
        filters: RunsFilter | None = None,
        cursor: str | None = None,
        limit: int | None = None,
        ascending: bool = False,
    ) -> list[DagsterRun]:
        """Runs matching ``filters``, newest first; ``cursor`` is the run id to start after."""
        return self._storage.get_runs(filters, cursor=cursor, limit=limit, ascending=ascending)

    def get_run_records(
        self,
        filters: RunsFilter | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> list[RunRecord]:
        """Like `get_runs`, with storage ids and create/update/start/end timestamps."""
        return self._storage.get_run_records(
            filters, limit=limit, cursor=cursor, ascending=ascending
        )

    def get_runs_count(self, filters: RunsFilter | None = None) -> int:
        """How many runs match ``filters``."""
        return self._storage.get_runs_count(filters)

    def has_run(self, run_id: str) -> bool:
        """Whether a run with this id exists."""
        return self._storage.has_run(run_id)

    def delete_run(self, run_id: str) -> None:
        """Delete a run with its tags, events and check executions.

        The indexes of the assets and partitions the run touched fall back to their newest
        remaining events, in the same transaction.
        """
        self._storage.delete_run(run_id)

    def add_run_tags(self, run_id: str, new_tags: Mapping[str, str]) -> None:
        """Add or replace tags on a run."""
        self._storage.add_run_tags(run_id, new_tags)

    # -- writing events -----------------------------------------------------------------------

    def store_events(
        self,
        entries: Sequence[EventLogEntry],
        partitions_defs: Mapping[AssetKey, Any] | None = None,
    ) -> list[int]:
        """Store a batch of events in one transaction, then show them to ``handle_event``.

        Run events (RUN_START, RUN_SUCCESS, ...) update the run's status and times; asset
        and check events update the asset indexes, all in the same transaction.
        ``partitions_defs`` (asset key -> partitions definition) lets the partition status
        of partitioned assets be updated in that transaction too.

        Returns:
            The storage ids of the entries, in order.
        """
        ids = self._storage.store_events(entries, partitions_defs)
        self._notify(entries)
        return ids

    def handle_new_event(self, entry: EventLogEntry) -> int:
        """Store one event (see `store_events`); returns its storage id."""
        return self.store_events([entry])[0]

    def report_dagster_event(
        self, event: DagsterEvent, run_id: str, log_level: int = logging.INFO
    ) -> int:
        """Store a structured event of ``run_id``; returns its storage id."""
        from headwater.events.log import EventLogEntry

        return self.handle_new_event(EventLogEntry.from_event(event, run_id, level=log_level))

    def report_runless_asset_event(
        self, asset_event: AssetMaterialization | AssetObservation | AssetCheckEvaluation
    ) -> int:
        """Record a materialization, observation or check evaluation made outside any run.

        Raises:
            InvariantViolationError: ``asset_event`` is of another type.
        """
        from headwater.events.assets import (
            AssetCheckEvaluation,
            AssetMaterialization,
            AssetObservation,
        )
        from headwater.events.log import RUNLESS_JOB_NAME, RUNLESS_RUN_ID, DagsterEvent

        if isinstance(asset_event, AssetMaterialization):
            event = DagsterEvent.asset_materialization(asset_event, RUNLESS_JOB_NAME)
        elif isinstance(asset_event, AssetObservation):
            event = DagsterEvent.asset_observation(asset_event, RUNLESS_JOB_NAME)
        elif isinstance(asset_event, AssetCheckEvaluation):
            event = DagsterEvent.asset_check_evaluation(asset_event, RUNLESS_JOB_NAME)
        else:
            raise InvariantViolationError(
                f"report_runless_asset_event takes an AssetMaterialization, AssetObservation "
                f"or AssetCheckEvaluation; got {type(asset_event).__name__}."
            )
        return self.report_dagster_event(event, RUNLESS_RUN_ID)

    def wipe_assets(self, asset_keys: Iterable[AssetKey]) -> None:
        """Forget the latest materializations, observations, partitions and check results.

        The events stay in the log (each wipe adds an ASSET_WIPED event), but no longer
        count as the latest: the assets read as never materialized until they are again, and
        their checks have no executions.
        """
        self._notify(self._storage.wipe_assets(asset_keys))

    def _notify(self, entries: Sequence[EventLogEntry]) -> None:
        if not entries:
            return
        try:
            from headwater._plugins import get_plugin_manager
        except ImportError:
            return
        hook = get_plugin_manager().hook.handle_event
        if not hook.get_hookimpls():
            return
        for entry in entries:
            hook(event=entry, instance=self)

    # -- reading events -----------------------------------------------------------------------

    def all_logs(
        self,
        run_id: str,
        of_type: DagsterEventType | Iterable[DagsterEventType] | None = None,
    ) -> list[EventLogEntry]:
        """Every event of a run in the order stored (optionally only some types)."""
        return self._storage.all_logs(run_id, of_type=of_type)

    def get_records_for_run(
        self,
        run_id: str,
        cursor: str | None = None,
        of_type: DagsterEventType | Iterable[DagsterEventType] | None = None,
        limit: int | None = None,
        ascending: bool = True,
    ) -> EventRecordsResult:
        """A page of a run's events with their storage ids."""
        return self._storage.get_records_for_run(run_id, cursor, of_type, limit, ascending)

    def get_event_records(
        self,
        event_records_filter: EventRecordsFilter,
        limit: int | None = None,
        ascending: bool = False,
    ) -> list[EventLogRecord]:
        """Stored events matching the filter, newest first unless ``ascending``."""
        return self._storage.get_event_records(event_records_filter, limit, ascending)

    def fetch_materializations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's materializations; pass ``result.cursor`` for the next one."""
        return self._storage.fetch_materializations(records_filter, limit, cursor, ascending)

    def fetch_observations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's observations; pass ``result.cursor`` for the next one."""
        return self._storage.fetch_observations(records_filter, limit, cursor, ascending)

    def fetch_failed_materializations(
        self,
        records_filter: AssetKey | AssetRecordsFilter,
        limit: int,
        cursor: str | None = None,
        ascending: bool = False,
    ) -> EventRecordsResult:
        """A page of an asset's ASSET_FAILED_TO_MATERIALIZE events."""
        return self._storage.fetch_failed_materializations(records_filter, limit, cursor, ascending)

    # -- assets -------------------------------------------------------------------------------

    def get_asset_keys(
        self,
        prefix: Sequence[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> list[AssetKey]:
        """Keys of assets with stored events (not wiped), sorted; see `SqlStorage`."""
        return self._storage.get_asset_keys(prefix=prefix, limit=limit, cursor=cursor)

    def has_asset_key(self, asset_key: AssetKey) -> bool:
        """Whether the asset has a non-wiped materialization, observation or planned run."""
        return self._storage.has_asset_key(AssetKey.from_coercible(asset_key))

    def get_asset_records(self, asset_keys: Sequence[AssetKey] | None = None) -> list[AssetRecord]:
        """The asset index rows of ``asset_keys`` (all assets if None)."""
        return self._storage.get_asset_records(asset_keys)

    def get_latest_materialization_event(self, asset_key: AssetKey) -> EventLogEntry | None:
        """The asset's latest materialization, or None."""
        return self._storage.get_latest_materialization_event(AssetKey.from_coercible(asset_key))

    def get_latest_materialization_events(
        self, asset_keys: Iterable[AssetKey]
    ) -> dict[AssetKey, EventLogEntry]:
        """The latest materialization of each key, in one read; keys without one are left out."""
        return self._storage.get_latest_materialization_events(asset_keys)

    def get_latest_asset_check_evaluation_record(self, asset_check_key: Any) -> Any:
        """The latest execution of a check (an `AssetCheckKey`), planned or evaluated, or None.

        Its ``status`` says which; ``event`` is the evaluation event once there is one. Older
        executions: ``instance.event_log_storage.get_asset_check_execution_history(key, limit)``.
        """
        return self._storage.get_latest_asset_check_execution_by_key([asset_check_key]).get(
            asset_check_key
        )

    def get_materialized_partitions(self, asset_key: AssetKey) -> set[str]:
        """Partitions of the asset materialized since it was last wiped."""
        return self._storage.get_materialized_partitions(AssetKey.from_coercible(asset_key))

    def get_stale_status(
        self, asset_key: Any, definitions: Any, partition_key: str | None = None
    ) -> Any:
        """The asset's `StaleStatus` (MISSING, STALE or FRESH) within ``definitions``.

        For many keys, or for the causes, build one `StaleStatusResolver` instead.
        """
        from headwater.execution.staleness import StaleStatusResolver

        return StaleStatusResolver(self, definitions).get_status(asset_key, partition_key)

    def get_partition_status(self, asset_key: AssetKey, partitions_def: Any) -> Any:
        """The asset's `AssetPartitionStatus`: materialized, failed, in-progress subsets.

        Answered from the asset's status row, without reading events. Call ``.missing()`` on
        the result for the partitions in none of the three.

        Args:
            asset_key: the asset.
            partitions_def: its partitions definition (``assets_def.partitions_def``).
        """
        key = AssetKey.from_coercible(asset_key)
        return self._storage.get_partition_status(key, partitions_def)

    # -- key/value and dynamic partitions -------------------------------------------------------

    def get_kv(self, keys: Iterable[str]) -> dict[str, str]:
        """Stored values for ``keys`` (cursors, daemon state); missing keys are left out."""
        return self._storage.get_kv(keys)

    def set_kv(self, values: Mapping[str, str]) -> None:
        """Store string values by key, replacing existing ones."""
        self._storage.set_kv(values)

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """Keys of a dynamic partitions definition, in the order added."""
        return self._storage.get_dynamic_partitions(partitions_def_name)

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        """Add keys to a dynamic partitions definition (existing keys are kept once)."""
        self._storage.add_dynamic_partitions(partitions_def_name, partition_keys)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove a key from a dynamic partitions definition."""
        self._storage.delete_dynamic_partition(partitions_def_name, partition_key)

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        """Whether a dynamic partitions definition has the key."""
        return self._storage.has_dynamic_partition(partitions_def_name, partition_key)


def _targeted_subsets(
    run: DagsterRun, partitions_defs: Mapping[AssetKey, Any], store: Any
) -> dict[AssetKey, Any]:
    from headwater.partitions.base import PartitionKeyRange
    from headwater.storage.runs import PARTITION_RANGE_END_TAG, PARTITION_RANGE_START_TAG

    key = run.tags.get(PARTITION_TAG)
    start, end = run.tags.get(PARTITION_RANGE_START_TAG), run.tags.get(PARTITION_RANGE_END_TAG)
    if key is None and (start is None or end is None):
        return {}
    out = {}
    for asset_key in run.asset_selection or ():
        partitions_def = partitions_defs.get(asset_key)
        if partitions_def is None:
            continue
        if key is not None:
            out[asset_key] = partitions_def.subset_with_partition_keys([key], store)
        else:
            out[asset_key] = partitions_def.subset_with_partition_key_range(
                PartitionKeyRange(start, end), store
            )
    return out


def _check_sort_key(check: Any) -> tuple[AssetKey, str]:
    return (check.asset_key, check.name)


DagsterInstance = Instance
