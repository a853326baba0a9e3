"""The fs IO manager's opt-in fsync: same layout and atomicity, set from code or config."""

import os
import pickle

import pytest

import headwater as dg


class Unpicklable:
    def __reduce__(self):
        raise TypeError("cannot pickle this value")


def test_fsync_is_off_by_default_and_on_when_asked(tmp_path):
    with dg.build_resources({"io": dg.FilesystemIOManager(base_dir=str(tmp_path))}) as res:
        assert res.io.fsync is False
    durable = dg.FilesystemIOManager(base_dir=str(tmp_path), fsync=True)
    with dg.build_resources({"io": durable}) as res:
        assert res.io.fsync is True


def test_fsync_from_config_on_the_definition_form(tmp_path):
    config = {"io": {"config": {"base_dir": str(tmp_path), "fsync": True}}}
    with dg.build_resources({"io": dg.fs_io_manager}, resource_config=config) as res:
        assert res.io.fsync is True
        res.io.handle_output(dg.build_output_context(asset_key=["x", "y"]), {"v": 1})
    assert pickle.loads((tmp_path / "x" / "y").read_bytes()) == {"v": 1}


@pytest.mark.parametrize("fsync", [False, True])
def test_a_failed_write_keeps_the_previous_value(tmp_path, fsync):
    manager = dg.FilesystemIOManager(base_dir=str(tmp_path), fsync=fsync)
    with dg.build_resources({"io": manager}) as res:
        res.io.handle_output(dg.build_output_context(asset_key="a"), "good")
        with pytest.raises(TypeError, match="cannot pickle this value"):
            res.io.handle_output(dg.build_output_context(asset_key="a"), Unpicklable())
        assert res.io.load_input(dg.build_input_context(asset_key="a")) == "good"
    assert os.listdir(tmp_path) == ["a"]


def test_materialize_creates_nested_directories_on_first_write(tmp_path):
    @dg.asset(key_prefix=["deep", "er"])
    def leaf():
        return 3

    instance = dg.Instance.local_temp(tmp_path / "home")
    try:
        assert dg.materialize([leaf], instance=instance).success
        stored = os.path.join(instance.storage_directory(), "deep", "er", "leaf")
        with open(stored, "rb") as handle:
            assert pickle.load(handle) == 3
    finally:
        instance.dispose()
