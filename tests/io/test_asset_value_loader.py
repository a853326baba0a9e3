"""Loading stored asset values outside a run: `Definitions.load_asset_value` and the loader."""

from __future__ import annotations

import pytest

import headwater as dg

days = dg.StaticPartitionsDefinition(["mon", "tue", "wed"])


@dg.asset(key_prefix=["shop"], metadata={"owner": "sales"})
def orders():
    return [1, 2, 3]


@dg.asset(partitions_def=days)
def visits(context: dg.AssetExecutionContext):
    return {"mon": 10, "tue": 12, "wed": 7}[context.partition_key]


@pytest.fixture
def instance(tmp_path):
    with dg.Instance.local_temp(tmp_path / "home") as instance:
        yield instance


INITIALISED: list[str] = []


class Recording(dg.ConfigurableIOManager):
    """Loads a description of the context it is given; notes each initialisation."""

    label: str = "default"

    def setup_for_execution(self, context) -> None:
        INITIALISED.append(self.label)

    def handle_output(self, context, obj) -> None:
        raise AssertionError("the loader never stores")

    def load_input(self, context):
        upstream = context.upstream_output
        return {
            "label": self.label,
            "key": context.asset_key.to_user_string(),
            "partitions": context.asset_partition_keys,
            "metadata": context.definition_metadata,
            "type": context.dagster_type,
            "output": upstream.name,
            "output_metadata": upstream.definition_metadata,
            "run_id": upstream.run_id,
        }


def test_loads_what_a_run_stored_with_the_fs_io_manager(instance):
    defs = dg.Definitions(assets=[orders, visits])
    dg.materialize([orders], instance=instance)
    for day in ("mon", "tue", "wed"):
        dg.materialize([visits], instance=instance, partition_key=day)

    assert defs.load_asset_value(["shop", "orders"], instance=instance) == [1, 2, 3]
    assert defs.load_asset_value(dg.AssetKey(["shop", "orders"]), instance=instance) == [1, 2, 3]
    assert defs.load_asset_value("visits", instance=instance, partition_key="wed") == 7
    with defs.get_asset_value_loader(instance=instance) as loader:
        assert loader.load_asset_value("visits", partition_key="mon") == 10
        by_day = loader.load_asset_value(
            "visits", partition_key_range=dg.PartitionKeyRange("mon", "tue")
        )
        assert by_day == {"mon": 10, "tue": 12}
        # A range of one partition is that partition's value, as in the reference.
        one = loader.load_asset_value(
            "visits", partition_key_range=dg.PartitionKeyRange("wed", "wed")
        )
        assert one == 7


def test_missing_value_names_the_asset_and_the_file(instance):
    defs = dg.Definitions(assets=[orders, visits])
    with pytest.raises(FileNotFoundError, match=r"'visits'.*visits/tue.*materialize"):
        defs.load_asset_value("visits", instance=instance, partition_key="tue")


def test_io_manager_sees_the_asset_its_partitions_and_the_metadata(instance):
    @dg.asset(partitions_def=days, io_manager_key="recording")
    def scores():
        return 1

    defs = dg.Definitions(assets=[orders, scores], resources={"recording": Recording()})
    with defs.get_asset_value_loader(instance=instance) as loader:
        single = loader.load_asset_value(
            "scores", partition_key="tue", python_type=int, metadata={"cols": ["a"]}
        )
        ranged = loader.load_asset_value(
            "scores",
            partition_key_range=dg.PartitionKeyRange("mon", "wed"),
            input_definition_metadata={"cols": ["b"]},
        )
        whole = loader.load_asset_value("scores")
    assert single == {
        "label": "default",
        "key": "scores",
        "partitions": ["tue"],
        "metadata": {"cols": ["a"]},
        "type": int,
        "output": "result",
        "output_metadata": {},
        "run_id": "__EPHEMERAL_RUN_ID",
    }
    assert ranged["partitions"] == ["mon", "tue", "wed"]
    assert ranged["metadata"] == {"cols": ["b"]}
    assert whole["partitions"] == []


def test_io_manager_key_comes_from_asset_out_and_source_assets(instance):
    @dg.multi_asset(
        outs={
            "left": dg.AssetOut(io_manager_key="recording", metadata={"side": "l"}),
            "right": dg.AssetOut(),
        }
    )
    def pair():
        return 1, 2

    with pytest.warns(DeprecationWarning, match="SourceAsset"):
        source = dg.SourceAsset("feed", io_manager_key="recording")
    spec = dg.AssetSpec("lake").with_io_manager_key("recording")
    defs = dg.Definitions(assets=[pair, source, spec], resources={"recording": Recording()})
    left = defs.load_asset_value("left", instance=instance)
    assert (left["output"], left["output_metadata"]) == ("left", {"side": "l"})
    assert defs.load_asset_value("feed", instance=instance)["key"] == "feed"
    assert defs.load_asset_value("lake", instance=instance)["key"] == "lake"
    with pytest.raises(FileNotFoundError, match="'right'"):
        defs.load_asset_value("right", instance=instance)  # the default fs IO manager


def test_resources_are_initialised_once_per_loader_and_torn_down(instance):
    torn_down = []

    @dg.resource
    def connection(_context):
        yield "conn"
        torn_down.append("conn")

    class NeedsConnection(dg.IOManager):
        def __init__(self, conn):
            self.conn = conn

        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            return (self.conn, context.asset_key.to_user_string())

    @dg.io_manager(required_resource_keys={"connection"})
    def needs_connection(init_context):
        return NeedsConnection(init_context.resources.connection)

    @dg.asset(io_manager_key="db")
    def table():
        return None

    INITIALISED.clear()
    defs = dg.Definitions(
        assets=[table, orders],
        resources={
            "db": needs_connection,
            "connection": connection,
            "io_manager": Recording(label="first"),
        },
    )
    with defs.get_asset_value_loader(instance=instance) as loader:
        assert loader.load_asset_value("table") == ("conn", "table")
        assert loader.load_asset_value("table") == ("conn", "table")
        configured = {"io_manager": {"config": {"label": "configured"}}}
        assert loader.load_asset_value(["shop", "orders"], resource_config=configured)["label"] == (
            "configured"
        )
        # Already initialised: later resource_config does not rebuild it.
        again = {"io_manager": {"config": {"label": "ignored"}}}
        assert loader.load_asset_value(["shop", "orders"], resource_config=again)["label"] == (
            "configured"
        )
        assert torn_down == []
    assert torn_down == ["conn"]
    assert INITIALISED == ["configured"]


def test_errors_name_what_is_wrong(instance):
    @dg.asset(io_manager_key="warehouse")
    def stored_elsewhere():
        return 1

    defs = dg.Definitions(assets=[orders, visits, stored_elsewhere])
    with defs.get_asset_value_loader(instance=instance) as loader:
        with pytest.raises(dg.DagsterInvalidDefinitionError, match="did you mean 'shop/orders'"):
            loader.load_asset_value(["shop", "order"])
        with pytest.raises(
            dg.DagsterInvalidDefinitionError, match=r"A string is one key component: pass \['shop'"
        ):
            loader.load_asset_value("shop/orders")
        with pytest.raises(
            dg.DagsterInvalidDefinitionError,
            match="resource with key 'warehouse' required by asset 'stored_elsewhere'",
        ):
            loader.load_asset_value("stored_elsewhere")
        with pytest.raises(dg.UnknownPartitionError, match="'thu'"):
            loader.load_asset_value("visits", partition_key="thu")
        with pytest.raises(dg.DagsterInvalidInvocationError, match="not both"):
            loader.load_asset_value(
                "visits",
                partition_key="mon",
                partition_key_range=dg.PartitionKeyRange("mon", "tue"),
            )


def test_without_an_instance_values_come_from_headwater_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    with dg.Instance.get() as instance:
        dg.materialize([orders], instance=instance)
    assert dg.Definitions(assets=[orders]).load_asset_value(["shop", "orders"]) == [1, 2, 3]
