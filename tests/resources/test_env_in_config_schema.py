"""`{"env": NAME}` in run config for a legacy ``config_schema`` of a resource or IO manager."""

from __future__ import annotations

import pytest

import headwater as dg


def test_resource_and_io_manager_config_schema_refuse_env(monkeypatch):
    monkeypatch.setenv("H8_TOKEN", "secret")

    @dg.resource(config_schema={"k": str})
    def token(context):
        return context.resource_config["k"]

    @dg.io_manager(config_schema={"k": str})
    def store(context):
        return dg.InMemoryIOManager()

    @dg.asset(required_resource_keys={"token"}, io_manager_key="store")
    def uses(context):
        return context.resources.token

    env = {"config": {"k": {"env": "H8_TOKEN"}}}
    with pytest.raises(dg.InvalidConfigError) as info:
        dg.materialize(
            [uses],
            resources={"token": token, "store": store},
            run_config={"resources": {"token": env, "store": env}},
        )
    message = str(info.value)
    assert "$.resources.token.config.k: expected str, got {'env': 'H8_TOKEN'}" in message
    assert "$.resources.store.config.k: expected str" in message
    assert "Config class" in message


def test_resource_config_schema_plain_values_still_work():
    @dg.resource(config_schema={"k": str})
    def token(context):
        return context.resource_config["k"]

    @dg.asset(required_resource_keys={"token"})
    def uses(context):
        return context.resources.token

    result = dg.materialize(
        [uses],
        resources={"token": token},
        run_config={"resources": {"token": {"config": {"k": "v"}}}},
    )
    assert result.output_for_node("uses") == "v"
