"""Discovery, validation and registries of the plugin manager, with really installed plugins."""

import sys

import click
import pytest
from click.testing import CliRunner

import headwater as dg
from headwater import _plugins


def infos_by_name(pm):
    return {info.name: info for info in _plugins.plugin_infos(pm)}


def test_installed_plugin_is_loaded_and_its_io_manager_registered(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()

    info = infos_by_name(pm)["good"]
    assert (info.source, info.distribution, info.version, info.status) == (
        "entrypoint",
        "hw-good",
        "1.2.3",
        "loaded",
    )
    assert info.hooks == ("register_io_managers",)
    entry = _plugins.collect_registry("register_io_managers", plugin_manager=pm)["parquet"]
    assert (entry.plugin, entry.distribution, entry.default) == ("good", "hw-good", False)
    assert entry.value.__name__ == "ParquetIOManager"


def test_plugin_failing_to_import_names_entry_point_distribution_and_cause(use_env):
    use_env("broken")
    with pytest.raises(dg.PluginError) as raised:
        _plugins.build_plugin_manager()
    assert str(raised.value) == (
        "Plugin 'broken' (entry point broken = hw_broken_plugin) from distribution hw-broken "
        "0.4.0 failed to import: RuntimeError: warehouse driver missing. Fix or upgrade "
        "hw-broken, or block the plugin with HEADWATER_BLOCK_PLUGINS=broken."
    )
    assert isinstance(raised.value.__cause__, RuntimeError)


def test_non_strict_build_reports_the_failed_plugin_and_keeps_the_others(use_env):
    use_env("broken")
    pm = _plugins.build_plugin_manager(strict=False)
    infos = infos_by_name(pm)
    assert infos["broken"].status == "failed"
    assert "RuntimeError: warehouse driver missing" in infos["broken"].error
    assert infos["good"].status == "loaded"
    assert "parquet" in _plugins.collect_registry("register_io_managers", plugin_manager=pm)


def test_misspelled_hook_suggests_the_real_one(use_env):
    use_env("typo")
    with pytest.raises(dg.PluginError, match="did you mean") as raised:
        _plugins.build_plugin_manager()
    assert str(raised.value).startswith(
        "Plugin 'typo' (distribution hw-typo 0.1.0) implements unknown hook "
        "'register_io_manager'; did you mean 'register_io_managers'? Rename the function"
    )


def test_two_distributions_claiming_one_name_is_an_error_naming_both(use_env):
    use_env("clash")
    with pytest.raises(dg.PluginError) as raised:
        _plugins.build_plugin_manager()
    assert str(raised.value) == (
        "Plugin name 'shared' is claimed by two distributions: hw-clash-a 1.0 and "
        "hw-clash-b 2.0. Uninstall one of them."
    )


def test_entry_point_named_like_a_builtin_is_an_error(use_env, fake_builtin):
    use_env("squatter")
    with pytest.raises(dg.PluginError) as raised:
        _plugins.build_plugin_manager()
    message = str(raised.value)
    assert message.startswith(
        "Plugin name 'memstore' of distribution hw-squatter 1.0 clashes with the built-in "
        "plugin 'memstore' of distribution headwater "
    )
    assert message.endswith("Rename the entry point in hw-squatter.")


def test_blocked_plugin_is_never_imported(use_env, monkeypatch):
    use_env("broken")
    monkeypatch.setenv("HEADWATER_BLOCK_PLUGINS", " broken , other")
    pm = _plugins.build_plugin_manager()
    assert infos_by_name(pm)["broken"].status == "blocked"
    assert "hw_broken_plugin" not in sys.modules


def test_blocking_by_argument(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager(blocked=["good"])
    assert infos_by_name(pm)["good"].status == "blocked"
    assert "parquet" not in _plugins.collect_registry("register_io_managers", plugin_manager=pm)


def test_disabling_autoload_skips_entry_points(use_env, monkeypatch):
    use_env("broken")
    monkeypatch.setenv("HEADWATER_DISABLE_PLUGIN_AUTOLOAD", "true")
    pm = _plugins.build_plugin_manager()
    assert not any(info.source == "entrypoint" for info in _plugins.plugin_infos(pm))


@pytest.mark.parametrize("how", ["env", "argument"])
def test_explicit_plugin_is_loaded_with_its_distribution(use_env, monkeypatch, how):
    use_env("basic")
    if how == "env":
        monkeypatch.setenv("HEADWATER_PLUGINS", "hw_explicit_plugin")
        pm = _plugins.build_plugin_manager(autoload=False)
    else:
        pm = _plugins.build_plugin_manager(plugins=["hw_explicit_plugin"], autoload=False)
    info = infos_by_name(pm)["hw_explicit_plugin"]
    assert (info.source, info.distribution, info.version) == ("explicit", "hw-explicit", "0.2")
    assert _plugins.lookup("executor", "register_executors", "explicit", plugin_manager=pm) == (
        "explicit executor"
    )


def test_explicit_plugin_that_does_not_exist(use_env):
    use_env("basic")
    with pytest.raises(dg.PluginError, match="Plugin module 'hw_nope' named in HEADWATER_PLUGINS"):
        _plugins.build_plugin_manager(plugins=["hw_nope"], autoload=False)


def test_explicit_plugin_already_loaded_by_entry_point_is_registered_once(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager(plugins=["hw_good_plugin"])
    assert "hw_good_plugin" not in infos_by_name(pm)
    assert infos_by_name(pm)["good"].status == "loaded"


def test_wrapper_on_execute_step_retries_around_the_firstresult_implementation(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    trace = []
    assert pm.hook.execute_step(step="flaky", context=trace) == "flaky done"
    assert trace == ["enter flaky", "run flaky", "retry flaky", "run flaky"]


def test_a_plugin_answering_execute_step_takes_over_from_the_trylast_default(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    trace = []
    assert pm.hook.execute_step(step="remote", context=trace) == "kitchen ran remote"
    assert trace == ["enter remote"]


def test_historic_add_hookspecs_lets_a_plugin_declare_new_hooks(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    assert pm.hook.register_ui_panels() == ["lineage panel"]
    assert infos_by_name(pm)["a_panels"].hooks == ("register_ui_panels",)


@pytest.mark.real_builtins
def test_instances_configure_and_unconfigure_plugins(use_env):
    use_env("basic")
    _plugins.reset_plugin_manager()
    import hw_kitchen

    hw_kitchen.calls.clear()
    try:
        with dg.Instance.ephemeral() as instance:
            assert hw_kitchen.calls == [("configure", instance)]
            assert instance.plugin_manager is _plugins.get_plugin_manager()
        instance.dispose()  # a second dispose does nothing
        assert hw_kitchen.calls == [("configure", instance), ("unconfigure", instance)]
    finally:
        _plugins.reset_plugin_manager()


def test_every_other_hook_is_called_with_its_documented_arguments(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    import hw_kitchen

    hw_kitchen.calls.clear()
    instance = object()
    specs = [s for specs in pm.hook.register_code_locations(instance=instance) for s in specs]
    assert ("kitchen-location", instance) in specs
    assert pm.hook.load_code_location(spec=specs[0], instance=instance) == {
        "loaded": "kitchen-location"
    }
    pm.hook.handle_event(event="run started", instance=instance)
    assert hw_kitchen.calls == [("event", "run started")]

    cli = click.Group("headwater")
    pm.hook.register_commands(cli=cli)
    assert CliRunner().invoke(cli, ["cook"]).output == "cooking\n"

    registry = _plugins.collect_registry("register_automation_conditions", plugin_manager=pm)
    assert registry["kitchen_open"].plugin == "kitchen"
    executors = _plugins.collect_registry("register_executors", plugin_manager=pm)
    assert executors["kitchen_pool"].value == "kitchen executor"


def test_non_default_plugin_overrides_a_trylast_builtin_name(use_env, fake_builtin):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    info = infos_by_name(pm)["memstore"]
    assert (info.source, info.distribution) == ("builtin", "headwater")
    registry = _plugins.collect_registry("register_io_managers", plugin_manager=pm)
    assert registry["parquet"].plugin == "good"
    assert registry["memstore"].plugin == "memstore"
    assert registry["memstore"].default


def test_two_plugins_registering_one_name_is_an_error_naming_both(use_env):
    use_env("rival")
    pm = _plugins.build_plugin_manager()
    with pytest.raises(dg.PluginError) as raised:
        _plugins.collect_registry("register_io_managers", plugin_manager=pm)
    message = str(raised.value)
    assert message.startswith("IO manager 'parquet' is registered by two plugins: ")
    assert "plugin 'good' (distribution hw-good 1.2.3)" in message
    assert "plugin 'rival' (distribution hw-rival 3.0)" in message


def test_lookup_of_a_misspelled_name_suggests_and_lists(use_env, fake_builtin):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    with pytest.raises(dg.PluginNotFoundError) as raised:
        _plugins.lookup(
            "IO manager",
            "register_io_managers",
            "parquett",
            context="asset sales/daily",
            plugin_manager=pm,
        )
    installed = ", ".join(
        sorted(_plugins.collect_registry("register_io_managers", plugin_manager=pm))
    )
    assert str(raised.value) == (
        "IO manager 'parquett' is not installed (asset sales/daily); did you mean 'parquet'? "
        f"Installed: {installed}."
    )


def test_lookup_without_a_close_name(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager(autoload=False, blocked=["good"])
    with pytest.raises(dg.PluginNotFoundError, match=r"^executor 'zzz' is not installed\. "):
        _plugins.lookup("executor", "register_executors", "zzz", plugin_manager=pm)


def test_storage_backend_by_name_and_by_url_scheme(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager()
    import hw_kitchen

    by_name = _plugins.lookup_storage_backend("kitchen", plugin_manager=pm)
    by_url = _plugins.lookup_storage_backend("kitchendb+fast://host/db", plugin_manager=pm)
    assert by_name is by_url is hw_kitchen.KitchenStorage
    with pytest.raises(
        dg.PluginNotFoundError,
        match=r"No storage backend handles URL scheme 'kitchendbb'; did you mean 'kitchendb'\?",
    ):
        _plugins.lookup_storage_backend("kitchendbb://x", plugin_manager=pm)


def test_unknown_registry_hook(use_env):
    use_env("basic")
    pm = _plugins.build_plugin_manager(autoload=False)
    with pytest.raises(dg.PluginError, match="did you mean 'register_executors'"):
        _plugins.collect_registry("register_executor", plugin_manager=pm)


def test_get_plugin_manager_is_cached_until_reset(use_env):
    use_env("basic")
    _plugins.reset_plugin_manager()
    try:
        first = _plugins.get_plugin_manager()
        assert _plugins.get_plugin_manager() is first
        _plugins.reset_plugin_manager()
        assert _plugins.get_plugin_manager() is not first
    finally:
        _plugins.reset_plugin_manager()


def test_hookimpl_is_public_and_import_stays_light():
    import subprocess

    code = (
        "import sys, headwater\n"
        "assert 'headwater._plugins' not in sys.modules and 'pluggy' not in sys.modules\n"
        "headwater.hookimpl\n"
        "heavy = ['headwater._plugins', 'importlib_metadata', 'sqlalchemy', 'click']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert dg.hookimpl.project_name == dg.hookspec.project_name == "headwater"
