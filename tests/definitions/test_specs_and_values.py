"""`AssetSpec`, `AssetDep`, policies, metadata values and results."""

import pickle
import random

import pytest

import headwater as dg


def test_asset_spec_is_frozen_and_does_not_split_strings():
    spec = dg.AssetSpec("s/t", deps=["a", dg.AssetKey(["b", "c"])])
    assert spec.key.path == ["s/t"]
    assert [d.asset_key for d in spec.deps] == [dg.AssetKey("a"), dg.AssetKey(["b", "c"])]
    assert spec.group_name is None
    with pytest.raises(AttributeError):
        spec.description = "x"


def test_replace_and_merge_attributes_return_copies():
    spec = dg.AssetSpec("a", tags={"x": "1"}, metadata={"m": 1}, owners=["team:a"])
    replaced = spec.replace_attributes(description="d", group_name="g")
    merged = spec.merge_attributes(
        tags={"y": "2"}, metadata={"n": 2}, owners=["team:b"], deps=["up"], kinds={"python"}
    )
    assert spec.description is None
    assert replaced.description == "d"
    assert replaced.group_name == "g"
    assert merged.tags == {"x": "1", "y": "2"}
    assert merged.metadata == {"m": 1, "n": 2}
    assert merged.owners == ("team:a", "team:b")
    assert [d.asset_key for d in merged.deps] == [dg.AssetKey("up")]
    assert merged.kinds == {"python"}


def test_with_io_manager_key_sets_the_metadata_entry():
    spec = dg.AssetSpec("a").with_io_manager_key("warehouse")
    assert spec.metadata == {"dagster/io_manager_key": "warehouse"}


def test_duplicate_deps_in_a_spec_are_rejected():
    with pytest.raises(dg.InvalidDefinitionError, match="more than once"):
        dg.AssetSpec("a", deps=["b", dg.AssetKey("b")])


def test_asset_dep_accepts_keys_strings_specs_and_definitions():
    @dg.asset
    def upstream():
        return 1

    mapping = object()
    assert dg.AssetDep("a/b").asset_key.path == ["a/b"]
    assert dg.AssetDep(dg.AssetSpec("s")).asset_key == dg.AssetKey("s")
    assert dg.AssetDep(upstream).asset_key == dg.AssetKey("upstream")
    dep = dg.AssetDep("a", partition_mapping=mapping, metadata={"k": 1})
    assert dep.partition_mapping is mapping
    assert dep.metadata == {"k": 1}
    with pytest.raises(dg.InvalidDefinitionError, match="Cannot use 3"):
        dg.AssetDep(3)


def test_asset_out_key_and_prefix_are_exclusive():
    with pytest.raises(dg.InvalidDefinitionError, match="key or key_prefix, not both"):
        dg.AssetOut(key="a", key_prefix="p")


def test_values_pickle():
    values = [
        dg.AssetSpec("a", deps=["b"], metadata={"x": 1}, tags={"t": "v"}, kinds={"k"}),
        dg.AssetDep("a"),
        dg.AssetIn(key="a"),
        dg.AssetOut(key_prefix="p"),
        dg.AssetCheckSpec("c", asset="a"),
        dg.AssetCheckKey(dg.AssetKey("a"), "c"),
        dg.AssetCheckResult(passed=True),
        dg.RetryPolicy(max_retries=2, delay=1, backoff=dg.Backoff.LINEAR),
        dg.BackfillPolicy.multi_run(3),
        dg.MaterializeResult(metadata={"a": 1}),
        dg.MaterializeResult(value=None),
        dg.ObserveResult(data_version=dg.DataVersion("v")),
        dg.Output(1, output_name="x"),
        dg.MetadataValue.text("t"),
        dg.MetadataValue.table([dg.TableRecord({"a": 1})], dg.TableSchema([dg.TableColumn("a")])),
    ]
    for value in values:
        assert pickle.loads(pickle.dumps(value)) == value


def test_module_level_asset_pickles_by_reference():
    assert pickle.loads(pickle.dumps(module_level_asset)) is module_level_asset


@dg.asset
def module_level_asset():
    return 1


def test_retry_policy_delay_math():
    assert dg.RetryPolicy().max_retries == 1
    assert dg.RetryPolicy(max_retries=3).calculate_delay(2) == 0
    assert dg.RetryPolicy(delay=2).calculate_delay(3) == 2
    assert dg.RetryPolicy(delay=2, backoff=dg.Backoff.LINEAR).calculate_delay(3) == 6
    assert dg.RetryPolicy(delay=2, backoff=dg.Backoff.EXPONENTIAL).calculate_delay(3) == 14


def test_retry_policy_jitter_stays_in_range():
    random.seed(1)
    full = dg.RetryPolicy(delay=10, jitter=dg.Jitter.FULL)
    plus_minus = dg.RetryPolicy(delay=10, backoff=dg.Backoff.LINEAR, jitter=dg.Jitter.PLUS_MINUS)
    for _ in range(50):
        assert 0 <= full.calculate_delay(1) <= 10
        assert 10 <= plus_minus.calculate_delay(2) <= 30


def test_retry_policy_backoff_or_jitter_without_delay_is_an_error():
    with pytest.raises(dg.InvalidDefinitionError, match="need a delay"):
        dg.RetryPolicy(backoff=dg.Backoff.LINEAR)
    with pytest.raises(dg.InvalidDefinitionError, match="need a delay"):
        dg.RetryPolicy(jitter=dg.Jitter.FULL)


def test_backfill_policies():
    single = dg.BackfillPolicy.single_run()
    multi = dg.BackfillPolicy.multi_run()
    assert single.max_partitions_per_run is None
    assert single.policy_type is dg.BackfillPolicyType.SINGLE_RUN
    assert multi.max_partitions_per_run == 1
    assert dg.BackfillPolicy.multi_run(5).policy_type is dg.BackfillPolicyType.MULTI_RUN
    with pytest.raises(dg.InvalidDefinitionError, match="1 or more"):
        dg.BackfillPolicy.multi_run(0)


def test_metadata_constructors_have_values():
    assert dg.MetadataValue.text("t").value == "t"
    assert dg.MetadataValue.int(3).value == 3
    assert dg.MetadataValue.float(1.5).value == 1.5
    assert dg.MetadataValue.bool(False).value is False
    assert dg.MetadataValue.json({"a": [1]}).value == {"a": [1]}
    assert dg.MetadataValue.md("# h").value == "# h"
    assert dg.MetadataValue.url("http://x").value == "http://x"
    assert dg.MetadataValue.path("/tmp/x").value == "/tmp/x"
    assert dg.MetadataValue.notebook("n.ipynb").value == "n.ipynb"
    assert dg.MetadataValue.timestamp(10).value == 10.0
    assert dg.MetadataValue.null().value is None
    assert dg.MetadataValue.asset(dg.AssetKey("a")).value == dg.AssetKey("a")
    assert dg.MetadataValue.dagster_run("r1").value == "r1"
    assert dg.MetadataValue.job("j").value.job_name == "j"
    artifact = dg.MetadataValue.python_artifact(dg.AssetKey)
    assert (artifact.module, artifact.name) == ("headwater.definitions.keys", "AssetKey")
    schema = dg.TableSchema([dg.TableColumn("id", "int")])
    assert dg.MetadataValue.table_schema(schema).value == schema


def test_timestamp_needs_a_timezone():
    import datetime

    aware = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert dg.MetadataValue.timestamp(aware).value == aware.timestamp()
    with pytest.raises(dg.InvalidDefinitionError, match="timezone-aware"):
        dg.MetadataValue.timestamp(datetime.datetime(2024, 1, 1))


def test_raw_metadata_is_normalised():
    from headwater.definitions.metadata import normalize_metadata

    normalized = normalize_metadata(
        {
            "s": "x",
            "i": 1,
            "f": 1.5,
            "b": True,
            "d": {"a": 1},
            "l": [1],
            "k": dg.AssetKey("a"),
            "n": None,
        }
    )
    assert normalized == {
        "s": dg.TextMetadataValue("x"),
        "i": dg.IntMetadataValue(1),
        "f": dg.FloatMetadataValue(1.5),
        "b": dg.BoolMetadataValue(True),
        "d": dg.JsonMetadataValue({"a": 1}),
        "l": dg.JsonMetadataValue([1]),
        "k": dg.AssetMetadataValue(dg.AssetKey("a")),
        "n": dg.NullMetadataValue(),
    }
    with pytest.raises(dg.InvalidDefinitionError, match="Metadata entry 'o' has a value of type"):
        normalize_metadata({"o": object()})


def test_results_defaults():
    result = dg.MaterializeResult()
    assert result.asset_key is None
    assert result.metadata == {}
    assert not result.has_value
    assert dg.MaterializeResult(value=None).has_value
    assert dg.MaterializeResult(asset_key="a").asset_key == dg.AssetKey("a")
    output = dg.Output(5)
    assert (output.value, output.output_name) == (5, "result")
    assert dg.ObserveResult(asset_key=["a", "b"]).asset_key == dg.AssetKey(["a", "b"])
    with pytest.raises(TypeError):
        dg.DataVersion(3)
