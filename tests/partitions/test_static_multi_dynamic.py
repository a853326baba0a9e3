"""Static, multi-dimensional and dynamic partitions definitions."""

import pickle
from datetime import datetime, timezone

import pytest

import headwater as dg

NOW = datetime(2023, 1, 3, tzinfo=timezone.utc)


class Store:
    """A real in-memory dynamic-partitions store, implementing the instance's protocol."""

    def __init__(self):
        self.keys: dict[str, list[str]] = {}

    def get_dynamic_partitions(self, name):
        return list(self.keys.get(name, []))

    def add_dynamic_partitions(self, name, partition_keys):
        existing = self.keys.setdefault(name, [])
        existing += [k for k in partition_keys if k not in existing]

    def delete_dynamic_partition(self, name, partition_key):
        self.keys[name].remove(partition_key)

    def has_dynamic_partition(self, name, partition_key):
        return partition_key in self.keys.get(name, [])


def test_static_keys_and_lookups():
    static = dg.StaticPartitionsDefinition(["b", "a", "c"])
    assert static.get_partition_keys() == ["b", "a", "c"]
    assert static.get_num_partitions() == 3
    assert static.get_partition_index("a") == 1
    assert static.get_partition_keys_in_range(dg.PartitionKeyRange("a", "c")) == ["a", "c"]
    assert static == dg.StaticPartitionsDefinition(["b", "a", "c"])
    assert pickle.loads(pickle.dumps(static)) == static


def test_static_errors():
    with pytest.raises(dg.InvalidDefinitionError, match=r"Duplicate instances.*\['a'\]"):
        dg.StaticPartitionsDefinition(["a", "b", "a"])
    static = dg.StaticPartitionsDefinition(["apple", "banana"])
    with pytest.raises(dg.UnknownPartitionError, match="did you mean 'apple'"):
        static.validate_partition_key("appel")
    with pytest.raises(dg.UnknownPartitionError, match=r"range apple\.\.\.cherry"):
        static.get_partition_keys_in_range(dg.PartitionKeyRange("apple", "cherry"))


def test_multi_keys_order_and_key_objects():
    multi = dg.MultiPartitionsDefinition(
        {
            "z": dg.StaticPartitionsDefinition(["b", "a"]),
            "date": dg.DailyPartitionsDefinition(start_date="2023-01-01"),
        }
    )
    keys = multi.get_partition_keys(current_time=NOW)
    assert keys == ["2023-01-01|b", "2023-01-01|a", "2023-01-02|b", "2023-01-02|a"]
    assert isinstance(keys[0], dg.MultiPartitionKey)
    assert keys[0].keys_by_dimension == {"date": "2023-01-01", "z": "b"}
    assert keys[0].dimension_keys[1] == dg.PartitionDimensionKey("z", "b")
    assert multi.partition_dimension_names == ["date", "z"]
    assert multi.primary_dimension.name == "date"
    assert multi.get_num_partitions(current_time=NOW) == 4
    assert multi.has_partition_key("2023-01-02|a", current_time=NOW)
    assert not multi.has_partition_key("2023-01-03|a", current_time=NOW)
    key = dg.MultiPartitionKey({"z": "a", "date": "2023-01-01"})
    assert key == "2023-01-01|a"
    assert pickle.loads(pickle.dumps(key)).keys_by_dimension == key.keys_by_dimension
    assert multi.get_partition_index("2023-01-02|b", current_time=NOW) == 2
    assert multi.get_partition_key(3, current_time=NOW) == "2023-01-02|a"


def test_multi_errors():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    with pytest.raises(dg.InvalidDefinitionError, match="exactly two dimensions"):
        dg.MultiPartitionsDefinition({"a": daily})
    with pytest.raises(dg.InvalidDefinitionError, match="one time dimension"):
        dg.MultiPartitionsDefinition({"a": daily, "b": daily})
    with pytest.raises(dg.InvalidDefinitionError, match=r"contain '\|'"):
        dg.MultiPartitionsDefinition({"a": daily, "b": dg.StaticPartitionsDefinition(["x|y"])})


def test_dynamic_keys_come_from_the_store():
    fruits = dg.DynamicPartitionsDefinition(name="fruits")
    store = Store()
    store.add_dynamic_partitions("fruits", ["apple", "pear"])
    assert fruits.get_partition_keys(dynamic_partitions_store=store) == ["apple", "pear"]
    assert fruits.has_partition_key("pear", dynamic_partitions_store=store)
    store.delete_dynamic_partition("fruits", "pear")
    assert fruits.get_num_partitions(dynamic_partitions_store=store) == 1
    assert isinstance(store, dg.DynamicPartitionsStore)
    with pytest.raises(dg.InvalidInvocationError, match="pass dynamic_partitions_store=instance"):
        fruits.get_partition_keys()


def test_multi_with_dynamic_dimension():
    store = Store()
    store.add_dynamic_partitions("customers", ["acme", "zeta"])
    multi = dg.MultiPartitionsDefinition(
        {
            "customer": dg.DynamicPartitionsDefinition(name="customers"),
            "day": dg.DailyPartitionsDefinition(start_date="2023-01-01"),
        }
    )
    keys = multi.get_partition_keys(current_time=NOW, dynamic_partitions_store=store)
    assert keys[:2] == ["acme|2023-01-01", "acme|2023-01-02"]
