"""`Config` classes and run-config validation, with error paths."""

import enum
from typing import Literal

import pytest

import headwater as dg
from headwater.resources import validate_run_config


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Inner(dg.Config):
    depth: int = 1


class MyConfig(dg.Config):
    limit: int
    name: str = "x"
    tags: list[str] = []
    weights: dict[str, float] = {}
    inner: Inner = Inner()
    maybe: int | None = None
    mode: Literal["fast", "slow"] = "fast"
    color: Color = Color.RED


def test_marker_attribute_and_defaults():
    assert MyConfig._headwater_config is True
    config = MyConfig(limit=3)
    assert config.name == "x"
    assert config.tags == []
    assert config.inner == Inner(depth=1)


def test_mutable_defaults_are_not_shared():
    assert MyConfig(limit=1).tags is not MyConfig(limit=1).tags


def test_config_is_frozen():
    config = MyConfig(limit=1)
    with pytest.raises(AttributeError, match="cannot be changed"):
        config.limit = 2


def test_python_construction_checks_types():
    with pytest.raises(dg.InvalidConfigError, match=r"MyConfig\.limit: expected int, got 'x'"):
        MyConfig(limit="x")


def test_nested_dict_becomes_nested_config():
    assert MyConfig(limit=1, inner={"depth": 4}).inner == Inner(depth=4)


def _validate(config):
    return validate_run_config(
        {"ops": {"my_asset": {"config": config}}}, {"my_asset": MyConfig}, {}
    )


def test_run_config_builds_config_instances():
    resolved = _validate({"limit": 5, "color": "BLUE", "inner": {"depth": 2}})
    assert resolved.op_config("my_asset") == MyConfig(
        limit=5, color=Color.BLUE, inner=Inner(depth=2)
    )


def test_wrong_type_names_path():
    with pytest.raises(
        dg.InvalidConfigError, match=r"^\$\.ops\.my_asset\.config\.limit: expected int, got 'x'$"
    ):
        _validate({"limit": "x"})


def test_missing_field_names_path():
    with pytest.raises(
        dg.InvalidConfigError,
        match=r"\$\.ops\.my_asset\.config\.limit: missing required field \(expected int\)",
    ):
        _validate({})


def test_unknown_field_lists_allowed_fields():
    with pytest.raises(dg.InvalidConfigError) as info:
        _validate({"limit": 1, "limt": 2})
    assert str(info.value) == (
        "$.ops.my_asset.config: unknown field 'limt'; did you mean 'limit'? "
        "Allowed fields: limit, name, tags, weights, inner, maybe, mode, color."
    )


def test_every_error_is_reported_with_its_path():
    with pytest.raises(dg.InvalidConfigError) as info:
        _validate({"limit": 1, "tags": ["a", 2], "inner": {"depth": "deep"}, "mode": "warp"})
    message = str(info.value)
    assert message.startswith("3 config errors:")
    assert "$.ops.my_asset.config.tags[1]: expected str, got 2" in message
    assert "$.ops.my_asset.config.inner.depth: expected int, got 'deep'" in message
    assert "$.ops.my_asset.config.mode: expected one of 'fast', 'slow', got 'warp'" in message


def test_strings_are_not_numbers():
    with pytest.raises(dg.InvalidConfigError, match="expected int, got '5'"):
        _validate({"limit": "5"})
    with pytest.raises(dg.InvalidConfigError, match="expected int, got True"):
        _validate({"limit": True})


def test_unknown_op_and_section_are_errors():
    with pytest.raises(dg.InvalidConfigError) as info:
        validate_run_config(
            {"ops": {"my_aset": {"config": {}}}, "resourcez": {}}, {"my_asset": None}, {}
        )
    message = str(info.value)
    assert "$: unknown section 'resourcez'; did you mean 'resources'?" in message
    assert "$.ops.my_aset: no op or asset named 'my_aset' in this job; did you mean" in message


def test_run_config_object_with_config_instances():
    run_config = dg.RunConfig(ops={"my_asset": MyConfig(limit=9)})
    resolved = validate_run_config(run_config, {"my_asset": MyConfig}, {})
    assert resolved.op_config("my_asset").limit == 9
    assert run_config.to_config_dict()["ops"]["my_asset"]["config"]["limit"] == 9


def test_schema_mapping_config_becomes_a_dict():
    resolved = validate_run_config({"ops": {"f": {"config": {"n": 2}}}}, {"f": {"n": int}}, {})
    assert resolved.op_config("f") == {"n": 2}


def test_a_mapping_config_schema_becomes_one_class_however_often_it_is_validated():
    # Run config is validated on every run; a new class per validation would also build a
    # new cattrs structurer per run and keep every one of them.
    from headwater.resources._config import schema_class

    schema = {"base_dir": str | None, "fsync": bool}
    first = schema_class(schema, "Io_Manager")
    assert schema_class(dict(schema), "Io_Manager") is first
    assert schema_class(schema, "Other") is not first
    assert first(fsync=True).fsync is True


# -- environment variables in op config ----------------------------------------------------


class Secret(dg.Config):
    password: str
    port: int = 1
    inner: Inner = Inner()


@dg.asset
def uses_secret(config: Secret):
    return (config.password, config.port)


def test_env_in_config_class_op_config_reads_the_variable(monkeypatch):
    monkeypatch.setenv("HW_TEST_PW", "s3cret")
    monkeypatch.setenv("HW_TEST_PORT", "5432")
    config = {"password": {"env": "HW_TEST_PW"}, "port": {"env": "HW_TEST_PORT"}}
    result = dg.materialize([uses_secret], run_config={"ops": {"uses_secret": {"config": config}}})
    assert result.asset_value("uses_secret") == ("s3cret", 5432)
    # The stored run config keeps the variable's name, never its value.
    assert result.dagster_run.run_config["ops"]["uses_secret"]["config"] == config


def test_env_var_in_config_instance_is_read(monkeypatch):
    monkeypatch.setenv("HW_TEST_PW", "s3cret")
    run_config = dg.RunConfig(ops={"uses_secret": Secret(password=dg.EnvVar("HW_TEST_PW"))})
    assert dg.materialize([uses_secret], run_config=run_config).asset_value("uses_secret") == (
        "s3cret",
        1,
    )


def test_unset_env_var_in_op_config_fails_before_the_run(monkeypatch):
    monkeypatch.delenv("HW_TEST_UNSET", raising=False)
    instance = dg.Instance.ephemeral()
    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        dg.materialize(
            [uses_secret],
            run_config={"ops": {"uses_secret": {"config": {"password": {"env": "HW_TEST_UNSET"}}}}},
            instance=instance,
        )
    assert str(info.value).startswith(
        "$.ops.uses_secret.config.password: environment variable 'HW_TEST_UNSET' is not set."
    )
    assert instance.get_runs() == []


def test_env_var_for_int_field_must_hold_an_integer(monkeypatch):
    monkeypatch.setenv("HW_TEST_PORT", "x")
    config = {"password": "p", "port": {"env": "HW_TEST_PORT"}}
    with pytest.raises(dg.DagsterInvalidConfigError, match=r"config\.port: .*'HW_TEST_PORT'"):
        _validate_secret(config)


def _validate_secret(config):
    return validate_run_config({"ops": {"s": {"config": config}}}, {"s": Secret}, {})


def test_config_schema_refuses_env():
    @dg.asset(config_schema={"k": str})
    def legacy(context):
        return context.op_config["k"]

    with pytest.raises(dg.DagsterInvalidConfigError) as info:
        dg.materialize([legacy], run_config={"ops": {"legacy": {"config": {"k": {"env": "HOME"}}}}})
    message = str(info.value)
    assert message.startswith("$.ops.legacy.config.k: expected str, got {'env': 'HOME'};")
    assert "Config class" in message


# -- config of ops inside graphs -----------------------------------------------------------


@dg.op(config_schema={"k": int})
def times(context):
    return context.op_config["k"]


def test_config_schema_of_an_op_inside_a_graph_asset():
    @dg.graph_asset
    def scaled():
        return times()

    result = dg.materialize(
        [scaled], run_config={"ops": {"scaled": {"ops": {"times": {"config": {"k": 4}}}}}}
    )
    assert result.asset_value("scaled") == 4


def test_config_schema_of_an_op_inside_a_graph_in_a_job():
    @dg.graph
    def inner():
        return times()

    @dg.job
    def outer():
        inner()

    result = outer.execute_in_process(
        run_config={"ops": {"inner": {"ops": {"times": {"config": {"k": 3}}}}}}
    )
    assert result.output_for_node("inner.times") == 3
