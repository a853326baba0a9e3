"""Observations, data versions and stale status, through the public API."""

from __future__ import annotations

import hashlib

import pytest

import headwater as dg
from headwater.execution.data_versions import compute_logical_data_version
from headwater.execution.observe import observe


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as inst:
        yield inst


def latest_tags(instance, key, kind="materializations"):
    fetch = getattr(instance, f"fetch_{kind}")
    record = fetch(dg.AssetKey(key), limit=1).records[0]
    return record.event_log_entry.tags, record.storage_id


def event_types(result):
    return [event.event_type_value for event in result.all_events]


# -- observation runs ----------------------------------------------------------------------------


@dg.observable_source_asset
def raw():
    return dg.DataVersion("v1")


def test_observation_job_records_observation_with_data_version(instance):
    defs = dg.Definitions(assets=[raw], jobs=[dg.define_asset_job("observe_raw", [raw])])
    result = defs.resolve_job_def("observe_raw").execute_in_process(instance=instance)
    assert result.success
    types = event_types(result)
    assert "ASSET_OBSERVATION" in types
    assert "ASSET_MATERIALIZATION_PLANNED" not in types
    assert "ASSET_MATERIALIZATION" not in types
    tags, _ = latest_tags(instance, "raw", "observations")
    assert tags == {"dagster/data_version": "v1"}


def test_observe_function_output_follows_the_observation(instance):
    result = observe([raw], instance=instance)
    step_events = [e.event_type_value for e in result.all_events if e.step_key == "raw"]
    assert step_events == [
        "RESOURCE_INIT_STARTED",  # the asset's IO manager, initialised as in the reference
        "RESOURCE_INIT_SUCCESS",
        "STEP_START",
        "ASSET_OBSERVATION",
        "STEP_OUTPUT",
        "STEP_SUCCESS",
    ]


regions = dg.StaticPartitionsDefinition(["north", "south"])


def test_partitioned_source_returns_a_data_version_per_partition(instance):
    @dg.observable_source_asset(partitions_def=regions)
    def sensors():
        return dg.DataVersionsByPartition({"north": "n1", "south": dg.DataVersion("s1")})

    result = observe([sensors], instance=instance)
    observations = [
        e.event_specific_data.asset_observation
        for e in result.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
    ]
    assert [(o.partition, o.tags) for o in observations] == [
        ("north", {"dagster/data_version": "n1"}),
        ("south", {"dagster/data_version": "s1"}),
    ]
    stored = instance.fetch_observations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("sensors"), asset_partitions=["south"]),
        limit=5,
    ).records
    assert [r.event_log_entry.tags for r in stored] == [{"dagster/data_version": "s1"}]
    assert dg.DataVersionsByPartition({"a": "1"}).data_versions_by_partition == {
        "a": dg.DataVersion("1")
    }


def test_observation_result_must_fit_the_partitioning(instance):
    @dg.observable_source_asset
    def whole():
        return dg.DataVersionsByPartition({"north": "n1"})

    @dg.observable_source_asset(partitions_def=regions)
    def split():
        return dg.DataVersion("v")

    with pytest.raises(dg.DagsterInvalidObservationError, match=r"'whole'.*not partitioned"):
        observe([whole], instance=instance)
    with pytest.raises(dg.InvalidObservationError, match=r"'split'.*DataVersionsByPartition"):
        observe([split], instance=instance)
    failed = observe([split], instance=instance, raise_on_error=False)
    assert not failed.success
    assert not instance.fetch_observations(dg.AssetKey("split"), limit=1).records


def test_observe_function_runs_observation_functions(instance):
    @dg.observable_source_asset(key=["lake", "orders"])
    def orders():
        return dg.ObserveResult(
            data_version=dg.DataVersion("7"), metadata={"rows": 3}, tags={"team": "ops"}
        )

    result = observe([orders], instance=instance)
    assert result.success
    assert result.job_name == "in_process_observation_job"
    record = instance.fetch_observations(dg.AssetKey(["lake", "orders"]), limit=1).records[0]
    observation = record.asset_observation
    assert observation.tags == {"dagster/data_version": "7", "team": "ops"}
    assert observation.metadata["rows"].value == 3


def test_observe_rejects_assets_that_cannot_be_observed(instance):
    @dg.asset
    def plain():
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="no observable assets"):
        observe([plain], instance=instance)


def test_multi_observable_source_asset_yields_one_result_per_spec(instance):
    @dg.multi_observable_source_asset(specs=[dg.AssetSpec("m1"), dg.AssetSpec("m2")])
    def both():
        yield dg.ObserveResult(asset_key="m1", data_version=dg.DataVersion("x1"))
        yield dg.ObserveResult(asset_key="m2", metadata={"k": 2})

    assert isinstance(both, dg.AssetsDefinition)
    assert both.is_observable
    assert both.keys == {dg.AssetKey("m1"), dg.AssetKey("m2")}
    result = observe([both], instance=instance)
    step_events = [
        (event.event_type_value, event.step_key)
        for event in result.all_events
        if event.step_key == "both"
    ]
    assert step_events == [
        ("RESOURCE_INIT_STARTED", "both"),
        ("RESOURCE_INIT_SUCCESS", "both"),
        ("STEP_START", "both"),
        ("STEP_OUTPUT", "both"),
        ("ASSET_OBSERVATION", "both"),
        ("STEP_OUTPUT", "both"),
        ("ASSET_OBSERVATION", "both"),
        ("STEP_SUCCESS", "both"),
    ]
    assert latest_tags(instance, "m1", "observations")[0] == {
        "dagster/data_version": "x1",
        "dagster/data_version_is_user_provided": "true",
    }
    assert latest_tags(instance, "m2", "observations")[0] == {}


def test_multi_observable_source_asset_requires_every_spec_unless_subsettable(instance):
    @dg.multi_observable_source_asset(specs=[dg.AssetSpec("a1"), dg.AssetSpec("a2")])
    def half():
        yield dg.ObserveResult(asset_key="a1")

    result = observe([half], instance=instance, raise_on_error=False)
    assert not result.success
    with pytest.raises(dg.DagsterStepOutputNotFoundError, match='output "a2"'):
        observe([half], instance=instance)


def test_multi_observable_source_asset_needs_specs():
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="needs specs"):
        dg.multi_observable_source_asset(specs=[])


def test_asset_yielding_asset_observation_records_it(instance):
    @dg.asset
    def counted():
        yield dg.AssetObservation("counted", metadata={"rows": 3})
        yield dg.Output(1)

    result = dg.materialize([counted], instance=instance)
    assert event_types(result).count("ASSET_OBSERVATION") == 1
    record = instance.fetch_observations(dg.AssetKey("counted"), limit=1).records[0]
    assert record.asset_observation.metadata["rows"].value == 3


def test_runless_observation_is_stored(instance):
    instance.report_runless_asset_event(
        dg.AssetObservation("outside", tags={"dagster/data_version": "u1"})
    )
    tags, _ = latest_tags(instance, "outside", "observations")
    assert tags["dagster/data_version"] == "u1"


# -- data versions ---------------------------------------------------------------------------


def test_root_logical_version_is_sha256_of_code_version(instance):
    @dg.asset(code_version="1")
    def root():
        return 1

    dg.materialize([root], instance=instance)
    tags, _ = latest_tags(instance, "root")
    assert tags == {"dagster/code_version": "1", "dagster/data_version": sha("1")}


def test_unversioned_asset_uses_run_id_as_code_version(instance):
    @dg.asset
    def loose():
        return 1

    result = dg.materialize([loose], instance=instance)
    tags, _ = latest_tags(instance, "loose")
    assert tags["dagster/code_version"] == result.run_id
    assert tags["dagster/data_version"] == sha(result.run_id)


def test_unobserved_source_input_is_initial_with_null_pointer(instance):
    @dg.asset(code_version="1", deps=[raw])
    def child():
        return 1

    dg.materialize([raw, child], instance=instance, selection=[child])
    tags, _ = latest_tags(instance, "child")
    assert tags == {
        "dagster/code_version": "1",
        "dagster/input_data_version/raw": "INITIAL",
        "dagster/input_event_pointer/raw": "NULL",
        "dagster/data_version": sha("1INITIAL"),
    }


def test_observed_source_version_feeds_child_provenance(instance):
    @dg.asset(code_version="1", deps=[raw])
    def child():
        return 1

    observe([raw], instance=instance)
    _, observation_id = latest_tags(instance, "raw", "observations")
    dg.materialize([raw, child], instance=instance, selection=[child])
    tags, _ = latest_tags(instance, "child")
    assert tags["dagster/input_data_version/raw"] == "v1"
    assert tags["dagster/input_event_pointer/raw"] == str(observation_id)
    assert tags["dagster/data_version"] == sha("1v1")


def test_user_data_version_is_flagged_and_feeds_downstream(instance):
    @dg.asset(code_version="2")
    def up():
        return dg.MaterializeResult(data_version=dg.DataVersion("mine"))

    @dg.asset(code_version="3", deps=[up])
    def down():
        return 1

    dg.materialize([up, down], instance=instance)
    up_tags, up_id = latest_tags(instance, "up")
    assert up_tags["dagster/data_version"] == "mine"
    assert up_tags["dagster/data_version_is_user_provided"] == "true"
    down_tags, _ = latest_tags(instance, "down")
    assert down_tags["dagster/input_data_version/up"] == "mine"
    assert down_tags["dagster/input_event_pointer/up"] == str(up_id)
    assert "dagster/data_version_is_user_provided" not in down_tags
    assert down_tags["dagster/data_version"] == sha("3mine")


def test_logical_version_orders_inputs_by_key_string():
    # As strings, AssetKey(['a', 'b']) sorts before AssetKey(['a']); as tuples it would not.
    versions = {dg.AssetKey("a"): "X", dg.AssetKey(["a", "b"]): "Y"}
    assert compute_logical_data_version("c", versions) == sha("cYX")
    assert compute_logical_data_version("c", {dg.AssetKey("a"): "UNKNOWN"}) == "UNKNOWN"
    assert compute_logical_data_version(None, {}) == "UNKNOWN"


# -- staleness -------------------------------------------------------------------------------


def test_missing_then_fresh(instance):
    @dg.asset(code_version="1")
    def root():
        return 1

    defs = dg.Definitions(assets=[root])
    assert instance.get_stale_status("root", defs) == dg.StaleStatus.MISSING
    dg.materialize([root], instance=instance)
    resolver = dg.StaleStatusResolver(instance, defs)
    assert resolver.get_status("root") == dg.StaleStatus.FRESH
    assert resolver.get_stale_causes("root") == []
    assert resolver.get_current_data_version("root") == sha("1")


def code_versioned_pair(version):
    @dg.asset(code_version=version)
    def root():
        return 1

    @dg.asset(code_version="1", deps=[root])
    def leaf():
        return 1

    return [root, leaf]


def test_new_code_version_makes_root_stale_but_child_fresh(instance):
    dg.materialize(code_versioned_pair("1"), instance=instance)
    defs = dg.Definitions(assets=code_versioned_pair("2"))
    resolver = dg.StaleStatusResolver(instance, defs)
    assert resolver.get_status("root") == dg.StaleStatus.STALE
    (cause,) = resolver.get_stale_causes("root")
    assert cause.category == dg.StaleCauseCategory.CODE
    assert cause.reason == "has a new code version"
    assert cause.key == dg.AssetKey("root")
    assert resolver.get_status("leaf") == dg.StaleStatus.FRESH

    # Re-materializing the root gives it a new data version: now the child is stale.
    dg.materialize(code_versioned_pair("2"), instance=instance, selection=["root"])
    resolver = dg.StaleStatusResolver(instance, defs)
    assert resolver.get_status("root") == dg.StaleStatus.FRESH
    assert resolver.get_status("leaf") == dg.StaleStatus.STALE
    (cause,) = resolver.get_stale_causes("leaf")
    assert (cause.category, cause.reason, cause.dependency) == (
        dg.StaleCauseCategory.DATA,
        "has a new dependency data version",
        dg.AssetKey("root"),
    )
    (root_cause,) = resolver.get_stale_root_causes("leaf")
    assert (root_cause.key, root_cause.reason) == (dg.AssetKey("root"), "has a new data version")


def test_new_observation_of_source_makes_child_stale(instance):
    @dg.asset(code_version="1", deps=[raw])
    def child():
        return 1

    defs = dg.Definitions(assets=[raw, child])
    dg.materialize([raw, child], instance=instance, selection=[child])
    assert instance.get_stale_status("child", defs) == dg.StaleStatus.FRESH
    observe([raw], instance=instance)
    resolver = dg.StaleStatusResolver(instance, defs)
    assert resolver.get_status("raw") == dg.StaleStatus.FRESH
    assert resolver.get_current_data_version("raw") == "v1"
    (cause,) = resolver.get_stale_causes("child")
    assert cause.reason == "has a new dependency data version"
    assert cause.dependency == dg.AssetKey("raw")
    dg.materialize([raw, child], instance=instance, selection=[child])
    assert instance.get_stale_status("child", defs) == dg.StaleStatus.FRESH


def test_unversioned_dependency_reports_new_materialization(instance):
    @dg.asset
    def up():
        return 1

    @dg.asset(code_version="1", deps=[up])
    def down():
        return 1

    dg.materialize([up, down], instance=instance)
    dg.materialize([up, down], instance=instance, selection=[up])
    resolver = dg.StaleStatusResolver(instance, [up, down])
    (cause,) = resolver.get_stale_causes("down")
    assert cause.reason == "has a new dependency materialization"
    assert cause.children[0].reason == "has a new materialization"


def test_added_and_removed_dependencies(instance):
    @dg.asset
    def first():
        return 1

    @dg.asset
    def second():
        return 1

    @dg.asset(code_version="1", deps=[first])
    def target():
        return 1

    dg.materialize([first, second, target], instance=instance)

    @dg.asset(code_version="1", name="target", deps=[second])
    def target_v2():
        return 1

    resolver = dg.StaleStatusResolver(instance, [first, second, target_v2])
    causes = resolver.get_stale_causes("target")
    assert [(c.category, c.reason) for c in causes] == [
        (dg.StaleCauseCategory.DEPENDENCIES, "removed dependency on first"),
        (dg.StaleCauseCategory.DEPENDENCIES, "has a new dependency on second"),
    ]
    assert resolver.get_status("target") == dg.StaleStatus.STALE


def test_partitioned_asset_without_partition_is_fresh(instance):
    parts = dg.StaticPartitionsDefinition(["x", "y"])

    @dg.asset(partitions_def=parts, code_version="1")
    def split():
        return 1

    resolver = dg.StaleStatusResolver(instance, [split])
    assert resolver.get_status("split") == dg.StaleStatus.FRESH
    assert resolver.get_status("split", partition_key="x") == dg.StaleStatus.MISSING
    dg.materialize([split], instance=instance, partition_key="x")
    resolver = dg.StaleStatusResolver(instance, [split])
    assert resolver.get_status("split", partition_key="x") == dg.StaleStatus.FRESH
    assert resolver.get_status("split", partition_key="y") == dg.StaleStatus.MISSING


def test_stale_cause_categories_are_ordered():
    assert sorted(dg.StaleCauseCategory, reverse=True)[0] == dg.StaleCauseCategory.DEPENDENCIES
