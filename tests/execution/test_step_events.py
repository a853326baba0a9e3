"""What each step event carries: metadata, type checks, input order and failure data."""

import pytest

import headwater as dg
from headwater.events import ErrorSource


class _TaggingIO(dg.IOManager):
    """Stores values in memory and describes what it did with metadata."""

    def __init__(self):
        self.values = {}

    def handle_output(self, context, obj):
        self.values[tuple(context.get_asset_identifier())] = obj
        context.add_output_metadata({"io": 1})

    def load_input(self, context):
        context.add_input_metadata({"loaded": 2})
        return self.values[tuple(context.get_asset_identifier())]


def _metadata(result, event_type, step_key):
    [event] = [
        e for e in result.all_events if e.event_type_value == event_type and e.step_key == step_key
    ]
    data = event.event_specific_data
    if event_type == "ASSET_MATERIALIZATION":
        return dict(data.materialization.metadata)
    return dict(data.metadata)


def test_metadata_is_on_step_output_handled_output_loaded_input_and_materialization():
    @dg.asset
    def up(context):
        context.add_output_metadata({"rows": 10})
        return 1

    @dg.asset
    def down(up):
        return dg.Output(up + 1, metadata={"kind": "x"})

    result = dg.materialize([up, down], resources={"io_manager": _TaggingIO()})

    mv = dg.MetadataValue
    assert _metadata(result, "STEP_OUTPUT", "up") == {"rows": mv.int(10)}
    assert _metadata(result, "HANDLED_OUTPUT", "up") == {"io": mv.int(1)}
    assert _metadata(result, "ASSET_MATERIALIZATION", "up") == {
        "rows": mv.int(10),
        "io": mv.int(1),
    }
    assert _metadata(result, "LOADED_INPUT", "down") == {"loaded": mv.int(2)}
    assert _metadata(result, "STEP_OUTPUT", "down") == {"kind": mv.text("x")}


def test_op_output_metadata_is_kept_in_a_job():
    @dg.op
    def produce(context):
        context.add_output_metadata({"n": 1})
        return 1

    @dg.job
    def job():
        produce()

    result = job.execute_in_process()

    assert _metadata(result, "STEP_OUTPUT", "produce") == {"n": dg.MetadataValue.int(1)}


def test_inputs_are_all_loaded_before_they_are_checked_in_name_order():
    @dg.asset
    def b():
        return 1

    @dg.asset
    def a():
        return 2

    @dg.asset
    def both(b, a):
        return a + b

    result = dg.materialize([a, b, both])

    events = [
        (e.event_type_value, e.event_specific_data.input_name)
        for e in result.all_events
        if e.step_key == "both" and e.event_type_value in ("LOADED_INPUT", "STEP_INPUT")
    ]
    assert events == [
        ("LOADED_INPUT", "a"),
        ("LOADED_INPUT", "b"),
        ("STEP_INPUT", "a"),
        ("STEP_INPUT", "b"),
    ]


def test_an_output_that_does_not_match_its_annotation_fails_the_step():
    @dg.asset
    def count() -> int:
        return "many"

    @dg.asset
    def after(count):
        return count

    result = dg.materialize([count, after], raise_on_error=False)

    assert not result.success
    [output] = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    assert 'of type "Int"' in output.message
    assert not output.event_specific_data.type_check_data.success
    [failure] = result.get_step_failure_events()
    assert failure.event_specific_data.error.cls_name == "TypeCheckError"
    assert failure.event_specific_data.error_source == ErrorSource.FRAMEWORK_ERROR
    assert not result.get_asset_materialization_events()
    assert "after" not in {e.step_key for e in result.all_events}
    with pytest.raises(dg.DagsterTypeCheckDidNotPass, match='expected type "Int"'):
        dg.materialize([count])


@pytest.mark.parametrize("build", ["none_annotation", "dagster_type", "asset_in", "annotation"])
def test_declared_types_are_checked(build):
    if build == "none_annotation":

        @dg.asset
        def n() -> None:
            return 5

        assets = [n]
    elif build == "dagster_type":

        @dg.asset(dagster_type=int)
        def n():
            return "s"

        assets = [n]
    else:

        @dg.asset
        def up():
            return "s"

        if build == "asset_in":

            @dg.asset(ins={"up": dg.AssetIn(dagster_type=int)})
            def n(up):
                return up

        else:

            @dg.asset
            def n(up: list[int]):
                return up

        assets = [up, n]

    with pytest.raises(dg.TypeCheckError):
        dg.materialize(assets)


def test_values_matching_their_types_pass():
    @dg.asset
    def nums() -> list[int]:
        return [1, 2]

    @dg.asset
    def maybe(nums: list[int]) -> int | None:
        return None

    result = dg.materialize([nums, maybe])

    messages = [e.message for e in result.all_events if e.event_type_value == "STEP_OUTPUT"]
    assert 'Yielded output "result" of type "[Int]". (Type check passed).' in messages
    assert 'Yielded output "result" of type "Int?". (Type check passed).' in messages


def test_failure_records_its_class_description_and_metadata():
    @dg.asset
    def refuses():
        raise dg.Failure(description="empty file", metadata={"rows": 0})

    result = dg.materialize([refuses], raise_on_error=False)

    [event] = result.get_step_failure_events()
    data = event.event_specific_data
    assert data.error.cls_name == "Failure"
    assert data.user_failure_data.description == "empty file"
    assert data.user_failure_data.metadata == {"rows": dg.MetadataValue.int(0)}
    assert data.error_source == ErrorSource.FRAMEWORK_ERROR


def test_io_manager_errors_are_recorded_with_their_own_class():
    class Broken(dg.IOManager):
        def handle_output(self, context, obj):
            raise ValueError("disk full")

        def load_input(self, context):
            raise KeyError("gone")

    @dg.asset(io_manager_key="broken")
    def stored():
        return 1

    @dg.asset
    def up():
        return 1

    @dg.asset(ins={"up": dg.AssetIn(input_manager_key="broken")})
    def loaded(up):
        return up

    for assets, cls_name in (([stored], "HandleOutputError"), ([up, loaded], "LoadInputError")):
        result = dg.materialize(assets, resources={"broken": Broken()}, raise_on_error=False)
        [event] = result.get_step_failure_events()
        data = event.event_specific_data
        assert data.error.cls_name == cls_name
        assert data.error_source == ErrorSource.USER_CODE_ERROR
        assert data.user_failure_data is None


def test_subset_of_a_multi_asset_with_required_outputs_fails():
    @dg.multi_asset(outs={"r1": dg.AssetOut(), "r2": dg.AssetOut()}, can_subset=True)
    def both(context):
        for name in sorted(context.op_execution_context.selected_output_names):
            yield dg.Output(1, output_name=name)

    with pytest.raises(dg.DagsterStepOutputNotFoundError, match='"r2"'):
        dg.materialize([both], selection=["r1"])


def test_missing_check_result_in_a_return_fails_before_materializing():
    @dg.asset(check_specs=[dg.AssetCheckSpec("positive", asset="a")])
    def a():
        return 1

    result = dg.materialize([a], raise_on_error=False)

    assert not result.success
    assert not result.get_asset_materialization_events()
    [event] = result.get_step_failure_events()
    assert event.event_specific_data.error.cls_name == "StepOutputNotFoundError"


def test_planned_events_name_their_steps_and_resource_events_are_not_step_events():
    @dg.asset(check_specs=[dg.AssetCheckSpec("ok", asset="total")])
    def total():
        yield dg.Output(1)
        yield dg.AssetCheckResult(passed=True)

    @dg.asset
    def side_effect() -> None:
        return None

    with dg.instance_for_test() as instance:
        result = dg.materialize([total, side_effect], instance=instance)
        planned = [
            (e.dagster_event.event_type_value, e.step_key)
            for e in instance.all_logs(result.run_id)
            if e.dagster_event and e.dagster_event.event_type_value.endswith("_PLANNED")
        ]
    assert sorted(planned) == [
        ("ASSET_CHECK_EVALUATION_PLANNED", "total"),
        ("ASSET_MATERIALIZATION_PLANNED", "side_effect"),
        ("ASSET_MATERIALIZATION_PLANNED", "total"),
    ]
    # An asset that stores nothing still initialises its IO manager, like the reference.
    resource_events = [e for e in result.all_events if e.event_type_value.startswith("RESOURCE")]
    assert resource_events
    assert not any(e.is_step_event for e in resource_events)
    success = result.get_step_success_events()[0]
    assert success.is_step_event
    assert success.node_name == success.step_key


def test_path_metadata_has_the_reference_spelling():
    value = dg.MetadataValue.path("/data/out.parquet")
    assert value.fspath == value.path == value.value == "/data/out.parquet"


def test_result_objects_normalise_metadata_when_built():
    assert dg.Output(1, metadata={"rows": 3}).metadata == {"rows": dg.MetadataValue.int(3)}
    assert dg.AssetCheckResult(passed=True, metadata={"ok": True}).metadata == {
        "ok": dg.MetadataValue.bool(True)
    }
    assert dg.Failure("bad", metadata={"file": "in.csv"}).metadata["file"].value == "in.csv"
    with pytest.raises(dg.InvalidDefinitionError, match="'obj' has a value of type object"):
        dg.MaterializeResult(metadata={"obj": object()})
