"""The filesystem IO manager: layout, atomic writes, path safety, logging, registration."""

import itertools
import logging
import os
import pickle

import pytest

import headwater as dg
from headwater.builtin import fs_io_manager as fs_module
from headwater.io import _fs_layout as fs_layout


@pytest.fixture
def manager(tmp_path):
    with dg.build_resources({"io": dg.FilesystemIOManager(base_dir=str(tmp_path))}) as res:
        yield res.io


def out(**kwargs):
    return dg.build_output_context(**kwargs)


def test_asset_layout_is_key_parts(manager, tmp_path):
    manager.handle_output(out(asset_key=dg.AssetKey(["p1", "p2", "b"])), [1, 2])
    path = tmp_path / "p1" / "p2" / "b"
    assert pickle.loads(path.read_bytes()) == [1, 2]


def test_partition_layout(manager, tmp_path):
    manager.handle_output(out(asset_key="daily", partition_key="2024-05-01"), 5)
    assert pickle.loads((tmp_path / "daily" / "2024-05-01").read_bytes()) == 5


def test_op_output_layout_is_run_step_output(manager, tmp_path):
    manager.handle_output(out(run_id="run1", step_key="my_op", name="result"), "x")
    assert (tmp_path / "run1" / "my_op" / "result").exists()


def test_writes_leave_no_temporary_files(manager, tmp_path):
    manager.handle_output(out(asset_key="a"), 1)
    manager.handle_output(out(asset_key="a"), 2)
    assert sorted(os.listdir(tmp_path)) == ["a"]


def test_relative_base_dir_follows_the_working_directory(tmp_path, monkeypatch):
    with dg.build_resources({"io": dg.FilesystemIOManager(base_dir="values")}) as res:
        for name in ("first", "second"):
            (tmp_path / name).mkdir()
            monkeypatch.chdir(tmp_path / name)
            res.io.handle_output(out(asset_key="a"), name)
    for name in ("first", "second"):
        assert pickle.loads((tmp_path / name / "values" / "a").read_bytes()) == name


def test_leftover_temporary_file_of_a_dead_process_does_not_block_writes(
    manager, tmp_path, monkeypatch
):
    # A crashed writer with the same process id may have left temporary files behind, named
    # like the ones this process is about to use.
    monkeypatch.setattr(fs_layout, "_temp_counter", itertools.count())
    for counter in range(50):
        (tmp_path / f".a.{os.getpid()}.{counter}.tmp").write_bytes(b"stale")
    manager.handle_output(out(asset_key="a"), "fresh")
    assert manager.load_input(dg.build_input_context(asset_key="a")) == "fresh"


def test_unpicklable_value_keeps_old_file_and_leaves_no_litter(manager, tmp_path):
    manager.handle_output(out(asset_key="a"), {"good": True})
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        manager.handle_output(out(asset_key="a"), {"bad": lambda: 1})
    assert manager.load_input(dg.build_input_context(asset_key="a")) == {"good": True}
    assert os.listdir(tmp_path) == ["a"]


class _ExplodesMidPickle:
    def __reduce__(self):
        raise RuntimeError("disk on fire")


def test_exception_mid_write_keeps_old_file(manager, tmp_path):
    manager.handle_output(out(asset_key="a"), "old")
    big_prefix = ["x" * 1000] * 1000
    with pytest.raises(RuntimeError, match="disk on fire"):
        manager.handle_output(out(asset_key="a"), [big_prefix, _ExplodesMidPickle()])
    assert manager.load_input(dg.build_input_context(asset_key="a")) == "old"
    assert os.listdir(tmp_path) == ["a"]


@pytest.mark.parametrize(
    ("key", "component"),
    [
        (dg.AssetKey([".."]), ".."),
        (dg.AssetKey(["a", "../../etc"]), "../../etc"),
        (dg.AssetKey(["/abs"]), "/abs"),
        (dg.AssetKey(["a", "nul\x00byte"]), "nul\x00byte"),
        (dg.AssetKey(["a", "."]), "."),
    ],
)
def test_traversal_keys_are_refused(manager, tmp_path, key, component):
    with pytest.raises(dg.InvariantViolationError) as info:
        manager.handle_output(out(asset_key=key), 1)
    message = str(info.value)
    assert repr(key.to_user_string()) in message
    assert repr(component) in message
    assert os.listdir(tmp_path) == []
    with pytest.raises(dg.InvariantViolationError):
        manager.load_input(dg.build_input_context(asset_key=key))


def test_traversal_partition_key_is_refused(manager):
    with pytest.raises(dg.InvariantViolationError, match=r"'\.\./x'"):
        manager.handle_output(out(asset_key="a", partition_key="../x"), 1)


def test_symlink_escaping_base_dir_is_refused(manager, tmp_path_factory, tmp_path):
    outside = tmp_path_factory.mktemp("outside")
    (tmp_path / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(dg.InvariantViolationError, match="outside base directory"):
        manager.handle_output(out(asset_key=dg.AssetKey(["link", "x"])), 1)
    assert os.listdir(outside) == []


def test_missing_file_names_asset_and_path(manager, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        manager.load_input(dg.build_input_context(asset_key=dg.AssetKey(["s", "t"])))
    message = str(info.value)
    assert "'s/t'" in message
    assert str(tmp_path / "s" / "t") in message
    assert "was it materialized?" in message


def test_logs_write_and_load_paths(manager, tmp_path, caplog):
    log = logging.getLogger("test.fs")
    with caplog.at_level(logging.DEBUG, logger="test.fs"):
        manager.handle_output(out(asset_key="a", log=log), 1)
        manager.load_input(dg.build_input_context(asset_key="a", log=log))
    assert f"Writing file at: {tmp_path / 'a'}" in caplog.text
    assert f"Loading file from: {tmp_path / 'a'}" in caplog.text


def test_range_output_is_refused(manager):
    with pytest.raises(dg.InvalidConfigError, match="one partition per call"):
        manager.handle_output(out(asset_key="a", asset_partition_keys=["1", "2"]), {})


class _Instance:
    def __init__(self, directory):
        self.directory = directory

    def storage_directory(self):
        return str(self.directory)


def test_base_dir_defaults_to_instance_storage(tmp_path):
    instance = _Instance(tmp_path / "storage")
    with dg.build_resources({"io": dg.fs_io_manager}, instance=instance) as res:
        res.io.handle_output(out(asset_key="a"), 1)
    assert (tmp_path / "storage" / "a").exists()


def test_no_base_dir_and_no_instance_is_a_config_error():
    with (
        pytest.raises(dg.ResourceFunctionError, match=r"'io'.*no base_dir was configured"),
        dg.build_resources({"io": dg.FilesystemIOManager()}),
    ):
        pass


def test_registered_under_fs_and_memory():
    from headwater.builtin import memory_io_manager

    assert fs_module.register_io_managers() == {"fs": dg.fs_io_manager}
    assert memory_io_manager.register_io_managers() == {"memory": dg.mem_io_manager}
    assert (
        "headwater.builtin.fs_io_manager" in __import__("headwater.builtin").builtin.BUILTIN_PLUGINS
    )


def test_plugin_manager_finds_builtin_io_managers_by_name():
    from headwater._plugins import build_plugin_manager, lookup

    pm = build_plugin_manager(autoload=False, strict=False)
    assert lookup("IO manager", "register_io_managers", "fs", plugin_manager=pm) is dg.fs_io_manager
    assert (
        lookup("IO manager", "register_io_managers", "memory", plugin_manager=pm)
        is dg.mem_io_manager
    )
    with pytest.raises(dg.PluginNotFoundError, match=r"'fss'.*did you mean 'fs'"):
        lookup("IO manager", "register_io_managers", "fss", plugin_manager=pm)


def test_fs_io_manager_records_the_path_it_wrote(tmp_path):
    @dg.asset(key_prefix=["p"])
    def a():
        return 1

    result = dg.materialize(
        [a], resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path))}
    )

    expected = dg.MetadataValue.path(str(tmp_path.resolve() / "p" / "a"))
    [materialization] = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["path"] == expected
    [handled] = [e for e in result.all_events if e.event_type_value == "HANDLED_OUTPUT"]
    assert handled.event_specific_data.metadata == {"path": expected}
