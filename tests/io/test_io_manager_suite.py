"""The built-in IO managers pass the IO manager conformance suite."""

import pytest

import headwater as dg
from headwater.testing.io_manager_suite import IOManagerSuite


class TestFilesystemIOManager(IOManagerSuite):
    __test__ = True

    @pytest.fixture
    def io_manager(self, tmp_path):
        with dg.build_resources({"io": dg.FilesystemIOManager(base_dir=str(tmp_path))}) as res:
            yield res.io


class TestFsIOManagerDefinition(IOManagerSuite):
    __test__ = True

    @pytest.fixture
    def io_manager(self, tmp_path):
        config = {"io": {"config": {"base_dir": str(tmp_path)}}}
        with dg.build_resources({"io": dg.fs_io_manager}, resource_config=config) as res:
            yield res.io


class TestInMemoryIOManager(IOManagerSuite):
    __test__ = True

    def supports_atomic_writes(self):
        return False

    @pytest.fixture
    def io_manager(self):
        return dg.InMemoryIOManager()


class TestMemIOManagerDefinition(TestInMemoryIOManager):
    @pytest.fixture
    def io_manager(self):
        with dg.build_resources({"io": dg.mem_io_manager}) as res:
            yield res.io
