"""Input and output contexts, and writing an IO manager against them."""

import pytest

import headwater as dg


def test_output_context_asset_properties():
    ctx = dg.build_output_context(
        asset_key=dg.AssetKey(["a", "b"]), partition_key="2024-01-01", metadata={"m": 1}
    )
    assert ctx.has_asset_key
    assert ctx.asset_key == dg.AssetKey(["a", "b"])
    assert ctx.has_partition_key
    assert ctx.partition_key == "2024-01-01"
    assert ctx.asset_partition_keys == ["2024-01-01"]
    assert ctx.get_asset_identifier() == ["a", "b", "2024-01-01"]
    assert ctx.definition_metadata == {"m": 1}


def test_unpartitioned_context_has_no_partition_key():
    ctx = dg.build_output_context(asset_key="a")
    assert not ctx.has_partition_key
    assert ctx.asset_partition_keys == []
    with pytest.raises(dg.InvariantViolationError, match="not partitioned"):
        ctx.partition_key  # noqa: B018 - the property access raises


def test_op_output_identifier_and_missing_asset_key():
    ctx = dg.build_output_context(run_id="r", step_key="s", name="result")
    assert not ctx.has_asset_key
    assert ctx.get_identifier() == ["r", "s", "result"]
    with pytest.raises(dg.InvariantViolationError, match="no asset key"):
        ctx.get_asset_identifier()
    with pytest.raises(dg.InvariantViolationError, match="needs run_id"):
        dg.build_output_context(step_key="s", name="n").get_identifier()


def test_input_context_takes_key_and_identifier_from_upstream_output():
    upstream = dg.build_output_context(asset_key="up", run_id="r", step_key="s", name="result")
    ctx = dg.build_input_context(name="up", upstream_output=upstream)
    assert ctx.asset_key == dg.AssetKey("up")
    assert ctx.get_identifier() == ["r", "s", "result"]


def test_range_context_has_keys_but_no_single_key():
    ctx = dg.build_input_context(asset_key="a", asset_partition_keys=["1", "2"])
    assert ctx.has_asset_partitions
    assert not ctx.has_partition_key
    assert ctx.asset_partition_keys == ["1", "2"]
    with pytest.raises(dg.InvariantViolationError, match="partition range"):
        ctx.partition_key  # noqa: B018 - the property access raises


def test_time_window_needs_time_partitions():
    with pytest.raises(dg.InvariantViolationError, match="not partitioned by time"):
        dg.build_output_context(asset_key="a", partition_key="x").asset_partitions_time_window  # noqa: B018


def test_output_metadata_is_collected_once():
    ctx = dg.build_output_context(asset_key="a")
    ctx.add_output_metadata({"rows": 3})
    with pytest.raises(dg.InvariantViolationError, match="rows"):
        ctx.add_output_metadata({"rows": 4})
    assert ctx.consume_logged_metadata() == {"rows": 3}
    assert ctx.get_logged_metadata() == {}


def test_resources_are_reachable_by_attribute():
    ctx = dg.build_output_context(asset_key="a", resources={"client": "c"})
    assert ctx.resources.client == "c"
    with pytest.raises(AttributeError, match="available: client"):
        ctx.resources.nope  # noqa: B018 - the attribute access raises


class ListIOManager(dg.ConfigurableIOManager):
    prefix: str = "v"

    def handle_output(self, context, obj):
        self._store = {**getattr(self, "_store", {}), tuple(context.get_asset_identifier()): obj}
        context.add_output_metadata({"stored": True})

    def load_input(self, context):
        return (self.prefix, self._store[tuple(context.get_asset_identifier())])


def test_configurable_io_manager_is_its_own_resource():
    with dg.build_resources({"io_manager": ListIOManager(prefix="p")}) as res:
        manager = res.io_manager
        assert isinstance(manager, dg.IOManager)
        manager.handle_output(dg.build_output_context(asset_key="a"), 1)
        assert manager.load_input(dg.build_input_context(asset_key="a")) == ("p", 1)


def test_io_manager_decorator_with_config():
    @dg.io_manager(config_schema={"prefix": str})
    def prefixed(init_context):
        manager = dg.InMemoryIOManager()
        manager.prefix = init_context.resource_config["prefix"]
        return manager

    assert isinstance(prefixed, dg.IOManagerDefinition)
    config = {"io": {"config": {"prefix": "z"}}}
    with dg.build_resources({"io": prefixed}, resource_config=config) as res:
        assert res.io.prefix == "z"
    with (
        pytest.raises(
            dg.InvalidConfigError, match=r"\$\.resources\.io\.config\.prefix: expected str"
        ),
        dg.build_resources({"io": prefixed}, resource_config={"io": {"config": {"prefix": 1}}}),
    ):
        pass


def test_io_manager_factory_builds_manager():
    class Factory(dg.ConfigurableIOManagerFactory):
        def create_io_manager(self, context):
            return dg.InMemoryIOManager()

    with dg.build_resources({"io": Factory()}) as res:
        assert isinstance(res.io, dg.InMemoryIOManager)


def test_run_contexts_carry_asset_metadata_and_declared_type():
    seen = {}

    class Recording(dg.IOManager):
        def handle_output(self, context, obj):
            seen[context.asset_key.to_user_string()] = (
                dict(context.definition_metadata),
                context.dagster_type.display_name,
            )
            seen["value"] = obj

        def load_input(self, context):
            upstream = context.upstream_output
            seen["in"] = (dict(upstream.definition_metadata), context.dagster_type.typing_type)
            return seen["value"]

    @dg.asset(metadata={"m": 1})
    def a() -> int:
        return 1

    @dg.asset
    def b(a: int):
        return a

    dg.materialize([a, b], resources={"io_manager": Recording()})

    assert seen["a"] == ({"m": 1}, "Int")
    assert seen["b"] == ({}, "Any")
    assert seen["in"] == ({"m": 1}, int)


def test_input_partition_key_is_the_run_partition_asset_keys_the_upstream():
    ctx = dg.build_input_context(
        asset_key="a", partition_key="2024-01-05", asset_partition_keys=["2024-01-04"]
    )
    assert ctx.partition_key == "2024-01-05"
    assert ctx.asset_partition_key == "2024-01-04"
    assert ctx.get_asset_identifier() == ["a", "2024-01-04"]
    alone = dg.build_input_context(asset_key="a", partition_key="x")
    assert alone.asset_partition_key == "x"
    assert alone.asset_partition_keys == ["x"]
