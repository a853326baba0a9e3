"""The JSON IO manager passes headwater's IO manager conformance suite."""

import json

import pytest
from headwater_json_io import JsonIOManager, plugin

import headwater as dg
from headwater.testing.io_manager_suite import IOManagerSuite


class TestJsonIOManager(IOManagerSuite):
    __test__ = True

    @pytest.fixture
    def io_manager(self, tmp_path):
        with dg.build_resources({"io": JsonIOManager(base_dir=str(tmp_path))}) as res:
            yield res.io


def test_files_are_json(tmp_path):
    manager = JsonIOManager(base_dir=str(tmp_path))
    manager.handle_output(dg.build_output_context(asset_key=dg.AssetKey(["a", "b"])), [1, 2])
    assert json.loads((tmp_path / "a" / "b.json").read_text()) == [1, 2]


def test_registers_under_json():
    assert plugin.register_io_managers() == {"json": JsonIOManager}
