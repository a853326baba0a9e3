"""headwater: software-defined assets with a tiny plugin-based kernel.

Every public name is listed in ``_EXPORTS`` and imported the first time it is used
(PEP 562), so ``import headwater`` stays fast and pulls in nothing heavy.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it. Grouped by area; keep each group sorted.
_EXPORTS: dict[str, str] = {
    # -- errors ---------------------------------------------------------------------------
    **dict.fromkeys(
        [
            "HeadwaterError",
            "InvalidDefinitionError",
            "DuplicateDefinitionError",
            "CycleError",
            "InvalidSubsetError",
            "InvalidAssetSelectionError",
            "InvariantViolationError",
            "InvalidConfigError",
            "InvalidInvocationError",
            "ExecutionStepError",
            "StepOutputNotFoundError",
            "HandleOutputError",
            "LoadInputError",
            "TypeCheckError",
            "ResourceFunctionError",
            "InvalidObservationError",
            "HomeNotSetError",
            "PluginError",
            "PluginNotFoundError",
            "StorageError",
            "MigrationError",
            "UnknownPartitionError",
            "DagsterError",
            "DagsterInvalidDefinitionError",
            "DagsterInvalidSubsetError",
            "DagsterInvalidAssetSelectionError",
            "DagsterInvariantViolationError",
            "DagsterInvalidConfigError",
            "DagsterInvalidInvocationError",
            "DagsterExecutionStepExecutionError",
            "DagsterStepOutputNotFoundError",
            "DagsterExecutionHandleOutputError",
            "DagsterExecutionLoadInputError",
            "DagsterTypeCheckDidNotPass",
            "DagsterResourceFunctionError",
            "DagsterHomeNotSetError",
            "DagsterUnknownPartitionError",
            "DagsterInvalidObservationError",
        ],
        "headwater.errors",
    ),
    # -- keys -----------------------------------------------------------------------------
    "AssetKey": "headwater.definitions.keys",
    "hookimpl": "headwater.hookspecs",
    "hookspec": "headwater.hookspecs",
    # -- definitions (BEGIN definitions) --------------------------------------------------
    **dict.fromkeys(
        ["AssetChecksDefinition", "AssetExecutionType", "AssetsDefinition"],
        "headwater.definitions.assets",
    ),
    **dict.fromkeys(
        ["AssetCheckKey", "AssetCheckResult", "AssetCheckSeverity", "AssetCheckSpec"],
        "headwater.definitions.checks",
    ),
    **dict.fromkeys(
        ["asset", "asset_check", "multi_asset"],
        "headwater.definitions.decorators",
    ),
    "Definitions": "headwater.definitions.definitions",
    **dict.fromkeys(
        [
            "AssetMetadataValue",
            "BoolMetadataValue",
            "DagsterRunMetadataValue",
            "FloatMetadataValue",
            "IntMetadataValue",
            "JobMetadataValue",
            "JsonMetadataValue",
            "MarkdownMetadataValue",
            "MetadataValue",
            "NotebookMetadataValue",
            "NullMetadataValue",
            "PathMetadataValue",
            "PythonArtifactMetadataValue",
            "TableColumn",
            "TableMetadataValue",
            "TableRecord",
            "TableSchema",
            "TableSchemaMetadataValue",
            "TextMetadataValue",
            "TimestampMetadataValue",
            "UrlMetadataValue",
        ],
        "headwater.definitions.metadata",
    ),
    **dict.fromkeys(
        ["In", "Nothing", "OpDefinition", "Out", "op"],
        "headwater.definitions.ops",
    ),
    **dict.fromkeys(
        ["BackfillPolicy", "BackfillPolicyType", "Backoff", "Jitter", "RetryPolicy"],
        "headwater.definitions.policies",
    ),
    **dict.fromkeys(
        ["DataVersion", "DataVersionsByPartition", "MaterializeResult", "ObserveResult", "Output"],
        "headwater.definitions.results",
    ),
    **dict.fromkeys(["SourceAsset", "observable_source_asset"], "headwater.definitions.source"),
    **dict.fromkeys(
        ["AssetDep", "AssetIn", "AssetOut", "AssetSpec"],
        "headwater.definitions.specs",
    ),
    # -- definitions (END definitions) ----------------------------------------------------
    # -- ops, graphs and op jobs (BEGIN graphs) -------------------------------------------
    **dict.fromkeys(
        ["GraphDefinition", "GraphIn", "GraphOut", "graph"], "headwater.definitions.graphs"
    ),
    **dict.fromkeys(["graph_asset", "graph_multi_asset"], "headwater.definitions.graph_assets"),
    **dict.fromkeys(["JobDefinition", "job"], "headwater.jobs.op_job"),
    # -- ops, graphs and op jobs (END graphs) ---------------------------------------------
    # -- partitions (BEGIN partitions) ----------------------------------------------------
    **dict.fromkeys(
        ["PartitionKeyRange", "PartitionsDefinition", "DynamicPartitionsStore"],
        "headwater.partitions.base",
    ),
    **dict.fromkeys(
        [
            "DailyPartitionsDefinition",
            "HourlyPartitionsDefinition",
            "MonthlyPartitionsDefinition",
            "TimeWindow",
            "TimeWindowPartitionsDefinition",
            "WeeklyPartitionsDefinition",
        ],
        "headwater.partitions.time_window",
    ),
    "StaticPartitionsDefinition": "headwater.partitions.static",
    "DynamicPartitionsDefinition": "headwater.partitions.dynamic",
    **dict.fromkeys(
        [
            "MultiPartitionKey",
            "MultiPartitionsDefinition",
            "PartitionDimensionDefinition",
            "PartitionDimensionKey",
        ],
        "headwater.partitions.multi",
    ),
    **dict.fromkeys(
        [
            "AllPartitionsSubset",
            "KeysPartitionsSubset",
            "MultiPartitionsSubset",
            "PartitionsSubset",
            "StaticPartitionsSubset",
            "TimeWindowPartitionsSubset",
        ],
        "headwater.partitions.subsets",
    ),
    **dict.fromkeys(
        [
            "AllPartitionMapping",
            "IdentityPartitionMapping",
            "LastPartitionMapping",
            "PartitionMapping",
            "SpecificPartitionsPartitionMapping",
            "StaticPartitionMapping",
            "TimeWindowPartitionMapping",
            "UpstreamPartitionsResult",
            "infer_partition_mapping",
        ],
        "headwater.partitions.mappings",
    ),
    **dict.fromkeys(
        [
            "DimensionPartitionMapping",
            "MultiPartitionMapping",
            "MultiToSingleDimensionPartitionMapping",
        ],
        "headwater.partitions.multi_mappings",
    ),
    # -- partitions (END partitions) ------------------------------------------------------
    # -- graph, selection and jobs (BEGIN graph) ------------------------------------------
    "AssetSelection": "headwater.asset_graph.selection",
    "ResolvedAssetJob": "headwater.jobs.asset_job",
    "UnresolvedAssetJobDefinition": "headwater.jobs.asset_job",
    "define_asset_job": "headwater.jobs.asset_job",
    # -- graph, selection and jobs (END graph) --------------------------------------------
    # -- IO managers, resources and config (BEGIN io) -------------------------------------
    "Config": "headwater.resources._config",
    "ConfigurableIOManager": "headwater.io._manager",
    "ConfigurableIOManagerFactory": "headwater.io._manager",
    "ConfigurableResource": "headwater.resources._configurable",
    "ConfigurableResourceFactory": "headwater.resources._configurable",
    "EnvVar": "headwater.resources._env",
    "FilesystemIOManager": "headwater.builtin.fs_io_manager",
    "IOManager": "headwater.io._manager",
    "IOManagerDefinition": "headwater.io._manager",
    "InMemoryIOManager": "headwater.builtin.memory_io_manager",
    "InitResourceContext": "headwater.resources._definition",
    "InputContext": "headwater.io._contexts",
    "OutputContext": "headwater.io._contexts",
    "ResourceDefinition": "headwater.resources._definition",
    "RunConfig": "headwater.resources._run_config",
    "build_init_resource_context": "headwater.resources._definition",
    "build_input_context": "headwater.io._contexts",
    "build_output_context": "headwater.io._contexts",
    "build_resources": "headwater.resources._build",
    "fs_io_manager": "headwater.builtin.fs_io_manager",
    "io_manager": "headwater.io._manager",
    "mem_io_manager": "headwater.builtin.memory_io_manager",
    "resource": "headwater.resources._definition",
    # -- IO managers, resources and config (END io) ---------------------------------------
    # -- code locations and module loaders (BEGIN locations) --------------------------------
    "LoadedLocation": "headwater.locations.specs",
    "LocationSpec": "headwater.locations.specs",
    "load_locations": "headwater.locations.loading",
    **dict.fromkeys(
        [
            "load_asset_checks_from_current_module",
            "load_asset_checks_from_modules",
            "load_asset_checks_from_package_module",
            "load_asset_checks_from_package_name",
            "load_assets_from_current_module",
            "load_assets_from_modules",
            "load_assets_from_package_module",
            "load_assets_from_package_name",
            "load_definitions_from_current_module",
            "load_definitions_from_module",
            "load_definitions_from_modules",
            "load_definitions_from_package_module",
            "load_definitions_from_package_name",
        ],
        "headwater.locations.module_loaders",
    ),
    # -- code locations and module loaders (END locations) ----------------------------------
    # -- execution (BEGIN execution) --------------------------------------------------------
    "AssetExecutionContext": "headwater.execution.context",
    "AssetValueLoader": "headwater.execution.value_loader",
    "build_asset_context": "headwater.execution.direct_context",
    "build_op_context": "headwater.execution.direct_context",
    "execute_job": "headwater.execution.materialize",
    "ExecuteInProcessResult": "headwater.execution.result",
    "Executor": "headwater.execution.executor",
    "ExecutorDefinition": "headwater.execution.executor",
    "Failure": "headwater.execution.exceptions",
    "in_process_executor": "headwater.builtin.in_process_executor",
    "materialize": "headwater.execution.materialize",
    "materialize_to_memory": "headwater.execution.materialize",
    "multi_or_in_process_executor": "headwater.builtin.multiprocess_executor",
    "multiprocess_executor": "headwater.builtin.multiprocess_executor",
    "OpExecutionContext": "headwater.execution.context",
    "reconstructable": "headwater.execution.materialize",
    "RetryRequested": "headwater.execution.exceptions",
    # -- execution (END execution) ----------------------------------------------------------
    # -- observation, data versions and staleness (BEGIN observation) ------------------------
    "multi_observable_source_asset": "headwater.definitions.observable",
    "StaleStatus": "headwater.execution.staleness",
    "StaleCause": "headwater.execution.staleness",
    "StaleCauseCategory": "headwater.execution.staleness",
    "StaleStatusResolver": "headwater.execution.staleness",
    # -- observation (END observation) -------------------------------------------------------
    # -- events, storage and instance (BEGIN storage) -------------------------------------
    **dict.fromkeys(
        [
            "AssetCheckEvaluation",
            "AssetMaterialization",
            "AssetObservation",
            "AssetRecordsFilter",
            "DagsterEvent",
            "DagsterEventType",
            "EventLogEntry",
            "EventLogRecord",
            "EventRecordsFilter",
            "EventRecordsResult",
            "HeadwaterEventType",
        ],
        "headwater.events",
    ),
    **dict.fromkeys(["DagsterInstance", "Instance", "instance_for_test"], "headwater.instance"),
    **dict.fromkeys(
        ["DagsterRun", "DagsterRunStatus", "RunRecord", "RunsFilter"], "headwater.storage.runs"
    ),
    # -- events, storage and instance (END storage) ---------------------------------------
    # -- partition status and backfills (BEGIN backfills) ------------------------------------
    "AssetPartitionStatus": "headwater.storage.partition_status",
    "Backfill": "headwater.backfills.model",
    "BulkActionStatus": "headwater.backfills.model",
    "launch_backfill": "headwater.backfills.runner",
    "resume_backfill": "headwater.backfills.runner",
    "cancel_backfill": "headwater.backfills.runner",
    "get_backfill": "headwater.backfills.runner",
    "get_backfills": "headwater.backfills.runner",
    # -- partition status and backfills (END backfills) --------------------------------------
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'headwater' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
