"""The load_assets_from_* / load_asset_checks_from_* / load_definitions_from_* loaders (§2.14)."""

from __future__ import annotations

import importlib

import pytest

import headwater as dg

ASSETS = """
import headwater as dg

@dg.asset
def up():
    return 1

@dg.asset
def down(up):
    return up + 1

@dg.asset(deps=["external"])
def uses_external():
    return 0

not_an_asset = 42
"""


def keys_of(loaded):
    keys = set()
    for obj in loaded:
        keys |= set(obj.keys) if isinstance(obj, dg.AssetsDefinition) else {obj.key}
    return {key.to_user_string() for key in keys}


def by_key(loaded, key):
    key = dg.AssetKey.from_user_string(key)
    for obj in loaded:
        if isinstance(obj, dg.AssetsDefinition) and key in obj.keys:
            return obj
        if not isinstance(obj, dg.AssetsDefinition) and obj.key == key:
            return obj
    raise AssertionError(f"{key} not loaded")


def deps_of(assets_def, key):
    return {k.to_user_string() for k in assets_def.asset_deps[dg.AssetKey.from_user_string(key)]}


def test_collects_assets_of_a_module_by_dir(write_package):
    package = write_package({"assets.py": ASSETS})
    loaded = dg.load_assets_from_modules([importlib.import_module(f"{package}.assets")])
    assert keys_of(loaded) == {"up", "down", "uses_external"}
    assert all(isinstance(obj, dg.AssetsDefinition) for obj in loaded)


def test_collects_lists_made_only_of_assets(write_package):
    package = write_package(
        {
            "assets.py": """
            import headwater as dg

            def build(name):
                @dg.asset(name=name)
                def _asset():
                    return name
                return _asset

            generated = [build("a"), build("b")]
            mixed = [build("c"), 1]
            """
        }
    )
    loaded = dg.load_assets_from_modules([importlib.import_module(f"{package}.assets")])
    assert keys_of(loaded) == {"a", "b"}


def test_specs_only_with_include_specs_and_check_only_definitions_are_left_out(write_package):
    package = write_package(
        {
            "assets.py": """
            import headwater as dg

            raw = dg.AssetSpec("raw")

            @dg.asset(deps=[raw])
            def cooked():
                return 1

            @dg.asset_check(asset=cooked)
            def cooked_is_fine():
                return dg.AssetCheckResult(passed=True)
            """
        }
    )
    module = importlib.import_module(f"{package}.assets")
    assert keys_of(dg.load_assets_from_modules([module])) == {"cooked"}
    with_specs = dg.load_assets_from_modules([module], include_specs=True)
    assert keys_of(with_specs) == {"cooked", "raw"}
    assert any(isinstance(obj, dg.AssetSpec) for obj in with_specs)


def test_the_same_object_in_two_modules_is_loaded_once(write_package):
    package = write_package({"one.py": ASSETS, "two.py": "from PKG.one import up, down\n"})
    one = importlib.import_module(f"{package}.one")
    two = importlib.import_module(f"{package}.two")
    loaded = dg.load_assets_from_modules([one, two])
    assert len(loaded) == 3
    assert keys_of(loaded) == {"up", "down", "uses_external"}


def test_two_objects_with_one_key_name_both_modules(write_package):
    package = write_package({"one.py": ASSETS, "two.py": ASSETS})
    one = importlib.import_module(f"{package}.one")
    two = importlib.import_module(f"{package}.two")
    with pytest.raises(dg.DagsterInvalidDefinitionError) as excinfo:
        dg.load_assets_from_modules([one, two])
    message = str(excinfo.value)
    assert message.startswith("Asset key ")
    assert "is defined multiple times. Definitions found in modules: " in message
    assert f"{package}.one, {package}.two." in message


def test_equal_specs_are_one_spec_and_different_ones_collide(write_package):
    package = write_package(
        {
            "one.py": "import headwater as dg\nraw = dg.AssetSpec('raw', description='d')\n",
            "two.py": "import headwater as dg\nraw = dg.AssetSpec('raw', description='d')\n",
            "three.py": "import headwater as dg\nraw = dg.AssetSpec('raw', description='x')\n",
        }
    )
    one, two, three = (importlib.import_module(f"{package}.{m}") for m in ("one", "two", "three"))
    assert len(dg.load_assets_from_modules([one, two], include_specs=True)) == 1
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="Asset key raw is defined"):
        dg.load_assets_from_modules([one, three], include_specs=True)


def test_key_prefix_rewrites_deps_inside_the_loaded_set_only(write_package):
    package = write_package({"assets.py": ASSETS})
    loaded = dg.load_assets_from_modules(
        [importlib.import_module(f"{package}.assets")], key_prefix="pre"
    )
    assert keys_of(loaded) == {"pre/up", "pre/down", "pre/uses_external"}
    assert deps_of(by_key(loaded, "pre/down"), "pre/down") == {"pre/up"}
    assert deps_of(by_key(loaded, "pre/uses_external"), "pre/uses_external") == {"external"}


def test_key_prefix_leaves_specs_and_source_assets_alone(write_package):
    package = write_package(
        {
            "assets.py": """
            import warnings
            import headwater as dg

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                src = dg.SourceAsset("src")
            spec = dg.AssetSpec("spec")

            @dg.asset(deps=[src, spec])
            def made():
                return 1
            """
        }
    )
    loaded = dg.load_assets_from_modules(
        [importlib.import_module(f"{package}.assets")], key_prefix=["a", "b"], include_specs=True
    )
    assert keys_of(loaded) == {"a/b/made", "src", "spec"}
    assert deps_of(by_key(loaded, "a/b/made"), "a/b/made") == {"src", "spec"}


def test_source_key_prefix_prefixes_sources_and_deps_on_them(write_package):
    package = write_package(
        {
            "one.py": """
            import warnings
            import headwater as dg

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                srcx = dg.SourceAsset("srcx")
            """,
            "two.py": """
            import headwater as dg

            @dg.asset(deps=["srcx"])
            def m2asset():
                return 1
            """,
        }
    )
    modules = [importlib.import_module(f"{package}.{m}") for m in ("one", "two")]
    loaded = dg.load_assets_from_modules(modules, source_key_prefix="src")
    assert keys_of(loaded) == {"src/srcx", "m2asset"}
    assert isinstance(by_key(loaded, "src/srcx"), dg.SourceAsset)
    assert deps_of(by_key(loaded, "m2asset"), "m2asset") == {"src/srcx"}


def test_group_name_replaces_only_unset_or_default_groups(write_package):
    package = write_package(
        {
            "assets.py": """
            import headwater as dg

            @dg.asset
            def plain():
                return 1

            @dg.asset(group_name="default")
            def defaulted():
                return 1

            @dg.asset(group_name="gg")
            def already():
                return 1
            """
        }
    )
    loaded = dg.load_assets_from_modules(
        [importlib.import_module(f"{package}.assets")], group_name="gg"
    )
    groups = {
        key.to_user_string(): group
        for obj in loaded
        for key, group in obj.group_names_by_key.items()
    }
    assert groups == {"plain": "gg", "defaulted": "gg", "already": "gg"}


def test_group_name_conflicting_with_an_explicit_group_is_an_error(write_package):
    package = write_package(
        {
            "assets.py": """
            import headwater as dg

            @dg.asset(group_name="explicit")
            def grouped():
                return 1
            """
        }
    )
    module = importlib.import_module(f"{package}.assets")
    with pytest.raises(dg.DagsterInvalidDefinitionError) as excinfo:
        dg.load_assets_from_modules([module], group_name="gg")
    assert str(excinfo.value) == (
        "Asset spec grouped has group name explicit, which conflicts with the group name gg "
        "provided in load_assets_from_modules."
    )


def test_backfill_policy_and_automation_condition_are_applied(write_package):
    package = write_package({"assets.py": ASSETS})
    policy = dg.BackfillPolicy.single_run()
    condition = _a_condition()
    loaded = dg.load_assets_from_modules(
        [importlib.import_module(f"{package}.assets")],
        backfill_policy=policy,
        automation_condition=condition,
    )
    for assets_def in loaded:
        assert assets_def.backfill_policy == policy
        assert set(assets_def.automation_conditions_by_key.values()) == {condition}


def _a_condition():
    if "AutomationCondition" in dg.__all__:
        return dg.AutomationCondition.eager()
    pytest.skip("AutomationCondition is not part of the API yet")


def test_current_module_loads_the_calling_module(write_package):
    package = write_package(
        {
            "assets.py": ASSETS
            + "\nloaded = dg.load_assets_from_current_module(key_prefix='here')\n"
            + "checks = dg.load_asset_checks_from_current_module()\n"
        }
    )
    module = importlib.import_module(f"{package}.assets")
    assert keys_of(module.loaded) == {"here/up", "here/down", "here/uses_external"}
    assert module.checks == []


def test_current_module_outside_a_module_is_an_error():
    namespace = {"__name__": "not_a_real_module", "dg": dg}
    with pytest.raises(dg.DagsterInvariantViolationError, match="Could not find a module for"):
        exec("dg.load_assets_from_current_module()", namespace)


NESTED = {
    "__init__.py": "import headwater as dg\n\n@dg.asset\ndef top():\n    return 1\n",
    "a/one.py": "import headwater as dg\n\n@dg.asset\ndef one():\n    return 1\n",
    "a/b/two.py": "import headwater as dg\n\n@dg.asset\ndef two():\n    return 2\n",
}


def test_package_module_walks_every_submodule_and_the_package(write_package):
    package = write_package(NESTED)
    loaded = dg.load_assets_from_package_module(importlib.import_module(package))
    assert keys_of(loaded) == {"top", "one", "two"}


def test_package_name_imports_the_package_first(write_package):
    package = write_package(NESTED)
    loaded = dg.load_assets_from_package_name(package, key_prefix="p")
    assert keys_of(loaded) == {"p/top", "p/one", "p/two"}


def test_a_broken_submodule_fails_the_package_load(write_package):
    package = write_package({**NESTED, "a/broken/__init__.py": "raise ImportError('nope')\n"})
    with pytest.raises(ImportError, match="nope"):
        dg.load_assets_from_package_name(package)


CHECKS = """
import headwater as dg

@dg.asset
def orders():
    return [1]

@dg.asset_check(asset=orders)
def orders_not_empty(orders):
    return dg.AssetCheckResult(passed=bool(orders))

@dg.asset_check(asset="orders")
def orders_fresh():
    return dg.AssetCheckResult(passed=True)
"""


def test_asset_check_loaders_collect_check_definitions(write_package):
    package = write_package({"checks.py": CHECKS})
    checks = dg.load_asset_checks_from_package_name(package)
    names = {key.name for checks_def in checks for key in checks_def.check_keys}
    assert names == {"orders_not_empty", "orders_fresh"}
    prefixed = dg.load_asset_checks_from_package_module(
        importlib.import_module(package), asset_key_prefix="pre"
    )
    targets = {key.asset_key.to_user_string() for c in prefixed for key in c.check_keys}
    assert targets == {"pre/orders"}


def test_definitions_loaders_build_definitions_with_checks_and_jobs(write_package):
    package = write_package(
        {
            "checks.py": CHECKS,
            "jobs.py": "import headwater as dg\n\nnightly = dg.define_asset_job('nightly')\n",
        }
    )
    defs = dg.load_definitions_from_package_name(package)
    assert isinstance(defs, dg.Definitions)
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.all_asset_keys} == {"orders"}
    assert {k.name for k in graph.asset_check_keys} == {"orders_not_empty", "orders_fresh"}
    assert [job.name for job in defs.resolve_all_job_defs() if job.name == "nightly"]
    module_defs = dg.load_definitions_from_module(importlib.import_module(f"{package}.jobs"))
    assert module_defs.resolve_asset_graph().all_asset_keys == frozenset()


def test_two_jobs_with_one_name_collide(write_package):
    job = "import headwater as dg\n\nnightly = dg.define_asset_job('nightly')\n"
    package = write_package({"one.py": job, "two.py": job})
    with pytest.raises(dg.DagsterInvalidDefinitionError) as excinfo:
        dg.load_definitions_from_package_name(package)
    assert str(excinfo.value) == (
        f"Job nightly is defined multiple times. Definitions found in modules: "
        f"{package}.one, {package}.two."
    )
