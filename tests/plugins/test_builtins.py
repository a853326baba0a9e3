"""The real built-in plugins load, and follow the rules third-party plugins rely on."""

import pytest

import headwater.builtin
from headwater import _plugins

pytestmark = pytest.mark.real_builtins


def test_every_builtin_loads_under_its_short_name():
    pm = _plugins.build_plugin_manager(autoload=False)
    builtins = [info for info in _plugins.plugin_infos(pm) if info.source == "builtin"]
    assert [info.name for info in builtins] == [
        name.rpartition(".")[2] for name in headwater.builtin.BUILTIN_PLUGINS
    ]
    assert {(info.status, info.distribution) for info in builtins} <= {("loaded", "headwater")}


def test_builtin_implementations_are_trylast_so_plugins_can_override_them():
    pm = _plugins.build_plugin_manager(autoload=False)
    for module_name in headwater.builtin.BUILTIN_PLUGINS:
        plugin = pm.get_plugin(module_name.rpartition(".")[2])
        for caller in pm.get_hookcallers(plugin):
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper):
                    assert impl.trylast, f"{module_name}.{caller.name} must be trylast"
