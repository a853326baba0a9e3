"""Loading location specs through the hooks: kinds, the module rule, attributes, failures."""

from __future__ import annotations

import pytest

import headwater as dg
from headwater.locations.specs import MODULE, PACKAGE, PYTHON_FILE

DEFS_MODULE = """
import headwater as dg

@dg.asset
def a():
    return 1

defs = dg.Definitions(assets=[a])

def make_defs():
    return dg.Definitions(assets=[a])

not_defs = 3
"""


def asset_keys(location):
    graph = location.definitions.resolve_asset_graph()
    return {key.to_user_string() for key in graph.all_asset_keys}


def load_one(instance, **spec):
    [location] = dg.load_locations(instance, [dg.LocationSpec(**spec)])
    return location


def test_a_package_without_definitions_is_collected_with_its_submodules(
    write_package, headwater_instance
):
    package = write_package(
        {
            "assets.py": "import headwater as dg\n\n@dg.asset\ndef one():\n    return 1\n",
            "more/two.py": "import headwater as dg\n\n@dg.asset\ndef two():\n    return 2\n",
        }
    )
    location = load_one(headwater_instance, name="p", kind=MODULE, target=package)
    assert location.ok, location.traceback
    assert asset_keys(location) == {"one", "two"}
    same = load_one(headwater_instance, name="p", kind=PACKAGE, target=package)
    assert asset_keys(same) == {"one", "two"}


def test_a_single_module_level_definitions_is_the_location(write_package, headwater_instance):
    package = write_package({"__init__.py": DEFS_MODULE})
    location = load_one(headwater_instance, name="p", kind=MODULE, target=package)
    assert location.ok, location.traceback
    assert location.definitions is __import__(package).defs


def test_several_definitions_objects_ask_for_an_attribute(write_package, headwater_instance):
    package = write_package({"__init__.py": DEFS_MODULE + "\nother = dg.Definitions()\n"})
    location = load_one(headwater_instance, name="p", kind=MODULE, target=package)
    assert not location.ok
    assert "has several Definitions objects (defs, other)" in location.error
    assert f"'{package}:<attribute>'" in location.error


@pytest.mark.parametrize("attribute", ["defs", "make_defs"])
def test_an_attribute_is_a_definitions_or_a_function_returning_one(
    write_package, headwater_instance, attribute
):
    package = write_package({"__init__.py": DEFS_MODULE})
    location = load_one(
        headwater_instance, name="p", kind=MODULE, target=package, attribute=attribute
    )
    assert location.ok, location.traceback
    assert asset_keys(location) == {"a"}


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ("missing", "has no attribute 'missing'"),
        ("not_defs", "is a int, not a Definitions object or a function returning one"),
    ],
)
def test_a_bad_attribute_is_reported(write_package, headwater_instance, attribute, message):
    package = write_package({"__init__.py": DEFS_MODULE})
    location = load_one(
        headwater_instance, name="p", kind=MODULE, target=package, attribute=attribute
    )
    assert not location.ok
    assert message in location.error
    assert "Code location 'p'" in location.error


def test_a_python_file_is_imported_by_path(tmp_path, headwater_instance):
    path = tmp_path / "standalone_location_file.py"
    path.write_text(
        "import headwater as dg\n\n@dg.asset\ndef filed():\n    return 1\n\n"
        "@dg.asset\ndef also(filed):\n    return filed\n"
    )
    location = load_one(headwater_instance, name="f", kind=PYTHON_FILE, target=str(path))
    assert location.ok, location.traceback
    assert asset_keys(location) == {"filed", "also"}


def test_working_directory_is_put_on_sys_path(tmp_path, headwater_instance, monkeypatch):
    monkeypatch.setattr("sys.path", list(__import__("sys").path))
    (tmp_path / "wd_location_module.py").write_text(DEFS_MODULE)
    location = load_one(
        headwater_instance,
        name="wd",
        kind=MODULE,
        target="wd_location_module",
        working_directory=str(tmp_path),
    )
    assert location.ok, location.traceback


def test_a_failing_location_keeps_its_traceback_and_others_load(write_package, headwater_instance):
    good = write_package({"__init__.py": DEFS_MODULE}, name="good")
    bad = write_package({"__init__.py": "x = 1\nraise RuntimeError('boom at import')\n"})
    specs = [
        dg.LocationSpec(name="bad", kind=MODULE, target=bad),
        dg.LocationSpec(name="good", kind=MODULE, target=good),
        dg.LocationSpec(name="weird", kind="notebook", target="x.ipynb"),
    ]
    bad_location, good_location, weird = dg.load_locations(headwater_instance, specs)
    assert bad_location.error == "RuntimeError: boom at import"
    assert "Traceback (most recent call last)" in bad_location.traceback
    assert "raise RuntimeError('boom at import')" in bad_location.traceback
    assert good_location.ok
    assert asset_keys(good_location) == {"a"}
    assert "No plugin can load code location 'weird' of kind 'notebook'" in weird.error


def test_a_name_used_twice_fails_the_second_location(write_package, headwater_instance):
    package = write_package({"__init__.py": DEFS_MODULE})
    first, second = dg.load_locations(
        headwater_instance,
        [
            dg.LocationSpec(name="twice", kind=MODULE, target=package, origin="here"),
            dg.LocationSpec(name="twice", kind=MODULE, target=package, origin="there"),
        ],
    )
    assert first.ok
    assert second.error.startswith("Code location name 'twice' is used twice: by here and by")


def test_a_plugin_can_load_its_own_kind(headwater_instance):
    from headwater._plugins import get_plugin_manager
    from headwater.hookspecs import hookimpl

    class NotebookLocations:
        @hookimpl
        def load_code_location(self, spec, instance):
            if spec.kind != "notebook":
                return None
            return dg.Definitions(assets=[dg.AssetSpec(spec.target)])

    plugin_manager = get_plugin_manager()
    plugin = NotebookLocations()
    plugin_manager.register(plugin, name="notebook-locations")
    try:
        location = load_one(headwater_instance, name="nb", kind="notebook", target="cells")
    finally:
        plugin_manager.unregister(plugin)
    assert location.ok, location.traceback
    assert asset_keys(location) == {"cells"}
