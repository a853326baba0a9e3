"""materialize(): values, events in order, stored records, and what each return form does."""

from __future__ import annotations

import hashlib

import pytest

import headwater as dg


def types_of(events):
    return [e.event_type_value for e in events]


@dg.asset
def a():
    return 1


@dg.asset
def b(a):
    return a + 1


def test_two_assets_materialize_with_values_in_dependency_order():
    result = dg.materialize([b, a])

    assert result.success
    assert result.output_for_node("a") == 1
    assert result.asset_value("b") == 2
    assert result.asset_value(dg.AssetKey("b")) == 2
    assert [e.step_key for e in result.get_step_success_events()] == ["a", "b"]


def test_events_follow_the_reference_order():
    result = dg.materialize([a, b])

    run_level = [e for e in result.all_events if e.step_key is None]
    assert types_of(run_level[:4]) == [
        "PIPELINE_START",
        "ENGINE_EVENT",
        "RESOURCE_INIT_STARTED",
        "RESOURCE_INIT_SUCCESS",
    ]
    assert types_of(run_level[-2:]) == ["ENGINE_EVENT", "PIPELINE_SUCCESS"]
    assert types_of(result.events_for_node("a")) == [
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
    ]
    assert types_of(result.events_for_node("b")) == [
        "STEP_START",
        "LOADED_INPUT",
        "STEP_INPUT",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
    ]


def test_the_instance_stores_the_same_events_and_the_finished_run():
    instance = dg.Instance.ephemeral()
    result = dg.materialize([a, b], instance=instance)

    stored = instance.all_logs(result.run_id)
    # The instance wrote the planned events when it created the run; the result has the rest.
    assert [e.dagster_event.event_type_value for e in stored if e.dagster_event] == [
        "ASSET_MATERIALIZATION_PLANNED",
        "ASSET_MATERIALIZATION_PLANNED",
        *types_of(result.all_events),
    ]
    run = instance.get_run_by_id(result.run_id)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.job_name == "__ephemeral_asset_job__"
    assert result.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    latest = instance.get_latest_materialization_event(dg.AssetKey("b"))
    assert latest.run_id == result.run_id


def test_log_lines_are_stored_as_plain_entries():
    @dg.asset
    def chatty(context):
        context.log.info("read %d rows", 3)
        return 1

    result = dg.materialize([chatty])

    lines = [e.user_message for e in result.event_log_entries if e.dagster_event is None]
    assert "read 3 rows" in lines
    assert any(line.startswith("Writing file at") for line in lines)


def test_none_without_annotation_is_stored_and_none_annotation_is_nothing():
    @dg.asset
    def implicit_none():
        return None

    @dg.asset
    def nothing() -> None:
        pass

    result = dg.materialize([implicit_none, nothing])

    assert "HANDLED_OUTPUT" in types_of(result.events_for_node("implicit_none"))
    assert result.asset_value("implicit_none") is None
    assert types_of(result.events_for_node("nothing")) == [
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "STEP_SUCCESS",
    ]


def test_materialize_result_skips_the_io_manager_unless_it_has_a_value():
    @dg.asset
    def meta_only():
        return dg.MaterializeResult(metadata={"rows": 10})

    @dg.asset
    def with_value():
        return dg.MaterializeResult(value=7, metadata={"rows": 1})

    result = dg.materialize([meta_only, with_value])

    assert "HANDLED_OUTPUT" not in types_of(result.events_for_node("meta_only"))
    [materialization] = result.asset_materializations_for_node("meta_only")
    assert materialization.metadata["rows"].value == 10
    assert result.asset_value("with_value") == 7
    assert "HANDLED_OUTPUT" in types_of(result.events_for_node("with_value"))


def test_generator_yielding_output_with_metadata():
    @dg.asset
    def gen(context):
        context.add_output_metadata({"extra": "yes"})
        yield dg.Output(3, metadata={"rows": 3})

    result = dg.materialize([gen])

    [materialization] = result.asset_materializations_for_node("gen")
    assert materialization.metadata["rows"].value == 3
    assert materialization.metadata["extra"].value == "yes"
    assert result.asset_value("gen") == 3


def test_optional_output_not_produced_skips_dependents():
    @dg.asset(output_required=False)
    def maybe():
        if False:
            yield dg.Output(1)

    @dg.asset
    def needs_maybe(maybe):
        return maybe

    @dg.asset
    def after_that(needs_maybe):
        return needs_maybe

    result = dg.materialize([maybe, needs_maybe, after_that])

    assert result.success
    assert types_of(result.events_for_node("maybe")) == ["STEP_START", "STEP_SUCCESS"]
    assert [e.step_key for e in result.get_step_skipped_events()] == ["needs_maybe", "after_that"]


def test_logged_observation_appears_on_the_node():
    @dg.asset
    def observed(context):
        context.log_event(dg.AssetObservation(asset_key="observed", metadata={"seen": 1}))
        return 1

    result = dg.materialize([observed])

    [observation] = result.asset_observations_for_node("observed")
    assert observation.metadata["seen"].value == 1
    assert len(result.get_asset_observation_events()) == 1


def test_data_and_code_version_tags():
    @dg.asset(code_version="1")
    def root():
        return 1

    @dg.asset
    def leaf(root):
        return 2

    result = dg.materialize([root, leaf])

    root_tags = result.asset_materializations_for_node("root")[0].tags
    assert root_tags["dagster/code_version"] == "1"
    assert root_tags["dagster/data_version"] == hashlib.sha256(b"1").hexdigest()
    leaf_tags = result.asset_materializations_for_node("leaf")[0].tags
    assert leaf_tags["dagster/code_version"] == result.run_id
    assert leaf_tags["dagster/input_data_version/root"] == root_tags["dagster/data_version"]
    pointer = int(leaf_tags["dagster/input_event_pointer/root"])
    stored = {
        r.storage_id: r
        for r in result.instance.fetch_materializations(dg.AssetKey("root"), limit=1).records
    }
    assert pointer in stored
    expected = hashlib.sha256(
        (result.run_id + root_tags["dagster/data_version"]).encode()
    ).hexdigest()
    assert leaf_tags["dagster/data_version"] == expected


def test_user_data_version_is_recorded_as_provided():
    @dg.asset
    def versioned():
        return dg.MaterializeResult(data_version=dg.DataVersion("v7"))

    tags = dg.materialize([versioned]).asset_materializations_for_node("versioned")[0].tags
    assert tags["dagster/data_version"] == "v7"
    assert tags["dagster/data_version_is_user_provided"] == "true"


def test_unselected_upstream_is_loaded_from_storage():
    instance = dg.Instance.ephemeral()
    dg.materialize([a], instance=instance)

    result = dg.materialize([a, b], selection=["b"], instance=instance)

    assert [e.step_key for e in result.get_step_success_events()] == ["b"]
    assert result.asset_value("b") == 2
    assert "LOADED_INPUT" in types_of(result.events_for_node("b"))


def test_source_spec_is_loaded_through_the_io_manager():
    instance = dg.Instance.ephemeral()

    @dg.asset(name="raw")
    def producer():
        return [1, 2]

    dg.materialize([producer], instance=instance)

    @dg.asset
    def total(raw):
        return sum(raw)

    result = dg.materialize([dg.AssetSpec("raw"), total], instance=instance)
    assert result.asset_value("total") == 3


def test_input_that_nobody_provides_is_an_error():
    @dg.asset
    def reader(nope):
        return nope

    with pytest.raises(
        dg.InvalidDefinitionError, match='Input asset "\\["nope"\\]" is not produced'
    ):
        dg.materialize([reader])


def test_duplicate_keys_are_rejected():
    @dg.asset(name="a")
    def other_a():
        return 2

    with pytest.raises(dg.InvalidDefinitionError, match="Duplicate asset key"):
        dg.materialize([a, other_a])


def test_run_tags_are_recorded():
    result = dg.materialize([a], tags={"team": "data"})
    assert result.dagster_run.tags["team"] == "data"


def test_output_for_unknown_node_names_what_exists():
    result = dg.materialize([a])
    with pytest.raises(dg.InvariantViolationError, match='No output "result" for node "zz"'):
        result.output_for_node("zz")


def test_materialize_to_memory_keeps_values_in_memory():
    result = dg.materialize_to_memory([a, b])
    assert result.asset_value("b") == 2
    lines = [e.user_message for e in result.event_log_entries if e.dagster_event is None]
    assert not any(line.startswith("Writing file at") for line in lines)


def test_materialize_to_memory_refuses_an_io_manager():
    with pytest.raises(dg.InvariantViolationError, match="takes no 'io_manager' resource"):
        dg.materialize_to_memory([a], resources={"io_manager": dg.InMemoryIOManager()})


def test_materialize_to_memory_replaces_io_managers_under_other_keys(tmp_path):
    @dg.asset(io_manager_key="lake")
    def stored():
        return 3

    lake = dg.FilesystemIOManager(base_dir=str(tmp_path))
    result = dg.materialize_to_memory([stored], resources={"lake": lake})
    assert result.asset_value("stored") == 3
    assert list(tmp_path.iterdir()) == []


def test_materialize_to_memory_refuses_io_managers_bound_on_assets(tmp_path):
    @dg.asset(
        io_manager_key="lake",
        resource_defs={"lake": dg.FilesystemIOManager(base_dir=str(tmp_path))},
    )
    def bound():
        return 1

    with pytest.raises(dg.InvariantViolationError, match=r"bind IO manager\(s\) \['lake'\]"):
        dg.materialize_to_memory([bound])
