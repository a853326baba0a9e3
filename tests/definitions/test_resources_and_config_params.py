"""Resource- and config-annotated parameters of asset functions."""

from __future__ import annotations

import pytest

import headwater as dg


class Warehouse(dg.ConfigurableResource):
    url: str = "memory://"


class LimitConfig(dg.Config):
    limit: int = 3


def test_resource_and_config_parameters_are_not_upstream_assets():
    @dg.asset
    def a(context, warehouse: Warehouse, config: LimitConfig, up):
        return (warehouse.url, config.limit, up)

    assert a.keys_by_input_name == {"up": dg.AssetKey("up")}
    assert a.required_resource_keys == {"warehouse", "io_manager"}
    assert a.op.config_type is LimitConfig
    assert a(None, 1, warehouse=Warehouse(), config=LimitConfig()) == ("memory://", 3, 1)


def test_resources_are_read_from_the_context_when_not_passed():
    class Context:
        resources = type("Resources", (), {"warehouse": Warehouse(url="db://")})()

    @dg.asset
    def a(context, warehouse: Warehouse):
        return warehouse.url

    assert a(Context()) == "db://"


def test_local_config_class_under_string_annotations_is_a_clear_error():
    # Python keeps `config: Window` as the string "Window" when the module uses
    # `from __future__ import annotations`; a class local to a function cannot be found.
    class Window(dg.Config):
        days: int = 7

    def trailing(config: Window):
        return config.days

    with pytest.raises(
        dg.InvalidDefinitionError, match=r"'Window' of parameter 'config'.*at module level"
    ):
        dg.asset(trailing)
