"""A conformance suite for IO managers: subclass `IOManagerSuite` in your plugin's tests.

Example::

    from headwater.testing.io_manager_suite import IOManagerSuite

    class TestMyIOManager(IOManagerSuite):
        __test__ = True

        @pytest.fixture
        def io_manager(self, tmp_path):
            return MyIOManager(root=str(tmp_path))

Capability methods (``supports_atomic_writes`` and so on) turn off tests for features a
manager cannot offer; ``sample_value`` and ``unstorable_value`` adapt the values to formats
such as JSON.
"""

from __future__ import annotations

from typing import Any

import pytest

import headwater as dg


class _MultiKey(str):
    """A stand-in multi-partition key: a string with per-dimension keys."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: dict[str, str]) -> _MultiKey:
        value = super().__new__(
            cls, "|".join(keys_by_dimension[k] for k in sorted(keys_by_dimension))
        )
        value.keys_by_dimension = dict(keys_by_dimension)
        return value


class IOManagerSuite:
    """Behaviour every IO manager must have. Override the ``io_manager`` fixture."""

    __test__ = False

    @pytest.fixture
    def io_manager(self) -> Any:
        """Return the IO manager under test (an `IOManager` instance)."""
        raise NotImplementedError("override the io_manager fixture in your subclass")

    # -- capabilities and values; override to adapt -----------------------------------------

    def supports_atomic_writes(self) -> bool:
        """Whether a failed write leaves the previous value in place (serialising managers)."""
        return True

    def supports_partitions(self) -> bool:
        """Whether the manager stores partitioned assets."""
        return True

    def supports_op_outputs(self) -> bool:
        """Whether the manager stores non-asset op outputs (identified by run and step)."""
        return True

    def missing_value_errors(self) -> tuple[type[BaseException], ...]:
        """Exception types raised when loading a value that was never stored."""
        return (FileNotFoundError, KeyError)

    def sample_value(self, n: int) -> Any:
        """A value the manager can store; distinct for each ``n``."""
        return {"n": n, "items": [n, n + 1], "label": f"value {n}"}

    def unstorable_value(self) -> Any:
        """A value the manager fails to store (raising) part-way through writing."""
        return {"ok": 1, "bad": lambda: None}

    # -- helpers ----------------------------------------------------------------------------

    def store(self, manager: Any, key: Any, value: Any, **kwargs: Any) -> None:
        manager.handle_output(dg.build_output_context(asset_key=key, **kwargs), value)

    def load(self, manager: Any, key: Any, **kwargs: Any) -> Any:
        return manager.load_input(dg.build_input_context(asset_key=key, **kwargs))

    # -- tests ------------------------------------------------------------------------------

    def test_round_trip(self, io_manager: Any) -> None:
        self.store(io_manager, dg.AssetKey(["a"]), self.sample_value(1))
        assert self.load(io_manager, dg.AssetKey(["a"])) == self.sample_value(1)

    def test_prefixed_keys_are_distinct(self, io_manager: Any) -> None:
        self.store(io_manager, dg.AssetKey(["p", "x"]), self.sample_value(1))
        self.store(io_manager, dg.AssetKey(["q", "x"]), self.sample_value(2))
        assert self.load(io_manager, dg.AssetKey(["p", "x"])) == self.sample_value(1)
        assert self.load(io_manager, dg.AssetKey(["q", "x"])) == self.sample_value(2)

    def test_overwrite_replaces_value(self, io_manager: Any) -> None:
        self.store(io_manager, dg.AssetKey(["a"]), self.sample_value(1))
        self.store(io_manager, dg.AssetKey(["a"]), self.sample_value(2))
        assert self.load(io_manager, dg.AssetKey(["a"])) == self.sample_value(2)

    def test_missing_value_raises_naming_the_asset(self, io_manager: Any) -> None:
        with pytest.raises(self.missing_value_errors(), match="never_stored"):
            self.load(io_manager, dg.AssetKey(["never_stored"]))

    def test_op_output_round_trip(self, io_manager: Any) -> None:
        if not self.supports_op_outputs():
            pytest.skip("this IO manager does not store op outputs")
        out = dg.build_output_context(run_id="r1", step_key="s", name="result")
        io_manager.handle_output(out, self.sample_value(3))
        loaded = io_manager.load_input(dg.build_input_context(name="x", upstream_output=out))
        assert loaded == self.sample_value(3)

    def test_partitions_are_stored_separately(self, io_manager: Any) -> None:
        if not self.supports_partitions():
            pytest.skip("this IO manager does not store partitions")
        key = dg.AssetKey(["daily"])
        self.store(io_manager, key, self.sample_value(1), partition_key="2024-01-01")
        self.store(io_manager, key, self.sample_value(2), partition_key="2024-01-02")
        assert self.load(io_manager, key, partition_key="2024-01-02") == self.sample_value(2)
        assert self.load(io_manager, key, partition_key="2024-01-01") == self.sample_value(1)

    def test_partition_range_loads_a_dict(self, io_manager: Any) -> None:
        if not self.supports_partitions():
            pytest.skip("this IO manager does not store partitions")
        key = dg.AssetKey(["daily"])
        keys = ["2024-01-01", "2024-01-02", "2024-01-03"]
        for n, partition in enumerate(keys):
            self.store(io_manager, key, self.sample_value(n), partition_key=partition)
        loaded = self.load(io_manager, key, asset_partition_keys=keys)
        assert loaded == {partition: self.sample_value(n) for n, partition in enumerate(keys)}

    def test_missing_partitions_can_be_allowed(self, io_manager: Any) -> None:
        if not self.supports_partitions():
            pytest.skip("this IO manager does not store partitions")
        key = dg.AssetKey(["sparse"])
        self.store(io_manager, key, self.sample_value(1), partition_key="a")
        loaded = self.load(
            io_manager,
            key,
            asset_partition_keys=["a", "b"],
            definition_metadata={"allow_missing_partitions": True},
        )
        assert loaded == {"a": self.sample_value(1)}
        with pytest.raises(self.missing_value_errors(), match="sparse"):
            self.load(io_manager, key, asset_partition_keys=["a", "b"])

    def test_multi_partition_keys(self, io_manager: Any) -> None:
        if not self.supports_partitions():
            pytest.skip("this IO manager does not store partitions")
        key = dg.AssetKey(["grid"])
        first = _MultiKey({"date": "2024-01-01", "color": "red"})
        second = _MultiKey({"date": "2024-01-01", "color": "blue"})
        self.store(io_manager, key, self.sample_value(1), partition_key=first)
        self.store(io_manager, key, self.sample_value(2), partition_key=second)
        assert self.load(io_manager, key, partition_key=first) == self.sample_value(1)
        assert self.load(io_manager, key, partition_key=second) == self.sample_value(2)

    def test_failed_write_keeps_previous_value(self, io_manager: Any) -> None:
        if not self.supports_atomic_writes():
            pytest.skip("this IO manager does not serialise values")
        key = dg.AssetKey(["precious"])
        self.store(io_manager, key, self.sample_value(1))
        with pytest.raises(Exception):  # noqa: B017 - each format fails its own way
            self.store(io_manager, key, self.unstorable_value())
        assert self.load(io_manager, key) == self.sample_value(1)
