"""Throw-away plugin distributions, built as wheels and installed with pip into target dirs.

Each scenario is its own target directory; a test makes one visible with `use_env`, which
prepends it to ``sys.path`` for that test only, so discovery goes through the real
``importlib_metadata`` entry points of really installed distributions.
"""

import pytest

import headwater.builtin

HEADWATER_ENV = (
    "HEADWATER_BLOCK_PLUGINS",
    "HEADWATER_DISABLE_PLUGIN_AUTOLOAD",
    "HEADWATER_PLUGINS",
)

# dist name -> (version, {module path: source}, {entry point name: target})
DISTRIBUTIONS = {
    "hw-good": (
        "1.2.3",
        {
            "hw_good_plugin.py": """
                import headwater as dg

                class ParquetIOManager:
                    pass

                @dg.hookimpl
                def register_io_managers():
                    return {"parquet": ParquetIOManager}
            """,
        },
        {"good": "hw_good_plugin"},
    ),
    "hw-broken": (
        "0.4.0",
        {"hw_broken_plugin.py": "raise RuntimeError('warehouse driver missing')\n"},
        {"broken": "hw_broken_plugin"},
    ),
    "hw-typo": (
        "0.1.0",
        {
            "hw_typo_plugin.py": """
                import headwater as dg

                @dg.hookimpl
                def register_io_manager():
                    return {"typo": object}
            """,
        },
        {"typo": "hw_typo_plugin"},
    ),
    "hw-clash-a": ("1.0", {"hw_clash_a.py": ""}, {"shared": "hw_clash_a"}),
    "hw-clash-b": ("2.0", {"hw_clash_b.py": ""}, {"shared": "hw_clash_b"}),
    "hw-rival": (
        "3.0",
        {
            "hw_rival_plugin.py": """
                import headwater as dg

                @dg.hookimpl
                def register_io_managers():
                    return {"parquet": "rival parquet"}
            """,
        },
        {"rival": "hw_rival_plugin"},
    ),
    # Registered as a built-in by tests that add it to BUILTIN_PLUGINS.
    "hw-fakecore": (
        "0.0.1",
        {
            "hw_fakecore/__init__.py": "",
            "hw_fakecore/memstore.py": """
                import headwater as dg

                @dg.hookimpl(trylast=True)
                def register_io_managers():
                    return {"memstore": "built-in memstore", "parquet": "built-in parquet"}
            """,
        },
        {},
    ),
    "hw-squatter": ("1.0", {"hw_squatter.py": ""}, {"memstore": "hw_squatter"}),
    "hw-explicit": (
        "0.2",
        {
            "hw_explicit_plugin.py": """
                import headwater as dg

                @dg.hookimpl
                def register_executors():
                    return {"explicit": "explicit executor"}
            """,
        },
        {},
    ),
    "hw-steps": (
        "1.0",
        {
            "hw_steps/__init__.py": "",
            "hw_steps/runner.py": """
                import headwater as dg

                @dg.hookimpl(trylast=True)
                def execute_step(step, context):
                    context.append(f"run {step}")
                    if step == "flaky" and context.count("run flaky") == 1:
                        raise ConnectionError("warehouse went away")
                    return f"{step} done"
            """,
            "hw_steps/retry.py": """
                import sys

                import headwater as dg

                _manager = None

                @dg.hookimpl
                def add_hookspecs(plugin_manager):
                    global _manager
                    _manager = plugin_manager

                @dg.hookimpl(wrapper=True)
                def execute_step(step, context):
                    context.append(f"enter {step}")
                    try:
                        return (yield)
                    except ConnectionError:
                        context.append(f"retry {step}")
                        again = _manager.subset_hook_caller(
                            "execute_step", remove_plugins=[sys.modules[__name__]]
                        )
                        return again(step=step, context=context)
            """,
        },
        {"runner": "hw_steps.runner", "retry": "hw_steps.retry"},
    ),
    "hw-ui": (
        "1.0",
        {
            "hw_ui/__init__.py": "",
            "hw_ui/hookspecs.py": """
                import headwater as dg

                @dg.hookspec
                def register_ui_panels():
                    '''Panels for the web UI.'''
            """,
            "hw_ui/plugin.py": """
                import headwater as dg

                @dg.hookimpl
                def add_hookspecs(plugin_manager):
                    from hw_ui import hookspecs
                    plugin_manager.add_hookspecs(hookspecs)
            """,
            # Sorted before "ui", so its implementation is registered before the spec exists.
            "hw_ui/panels.py": """
                import headwater as dg

                @dg.hookimpl
                def register_ui_panels():
                    return "lineage panel"
            """,
        },
        {"a_panels": "hw_ui.panels", "ui": "hw_ui.plugin"},
    ),
    "hw-kitchen": (
        "5.0",
        {
            "hw_kitchen.py": """
                import headwater as dg

                calls = []

                class KitchenStorage:
                    url_schemes = ("kitchendb",)

                @dg.hookimpl
                def configure(instance):
                    calls.append(("configure", instance))

                @dg.hookimpl
                def unconfigure(instance):
                    calls.append(("unconfigure", instance))

                @dg.hookimpl
                def register_executors():
                    return {"kitchen_pool": "kitchen executor"}

                @dg.hookimpl
                def register_storage_backends():
                    return {"kitchen": KitchenStorage}

                @dg.hookimpl
                def register_automation_conditions():
                    return {"kitchen_open": KitchenStorage}

                @dg.hookimpl
                def register_code_locations(instance):
                    return [("kitchen-location", instance)]

                @dg.hookimpl
                def load_code_location(spec, instance):
                    if spec[0] != "kitchen-location":
                        return None
                    return {"loaded": spec[0]}

                @dg.hookimpl
                def execute_step(step, context):
                    return f"kitchen ran {step}" if step == "remote" else None

                @dg.hookimpl
                def handle_event(event, instance):
                    calls.append(("event", event))

                @dg.hookimpl
                def register_commands(cli):
                    @cli.command()
                    def cook():
                        print("cooking")
            """,
        },
        {"kitchen": "hw_kitchen"},
    ),
}

ENVS = {
    "basic": ["hw-good", "hw-fakecore", "hw-explicit", "hw-steps", "hw-ui", "hw-kitchen"],
    "broken": ["hw-good", "hw-broken"],
    "typo": ["hw-typo"],
    "clash": ["hw-clash-a", "hw-clash-b"],
    "rival": ["hw-good", "hw-rival"],
    "squatter": ["hw-fakecore", "hw-squatter"],
}


def pytest_configure(config):
    config.addinivalue_line("markers", "real_builtins: use the real built-in plugins")


@pytest.fixture(scope="session")
def plugin_envs(tmp_path_factory, build_wheel, pip_install):
    """Scenario name -> a directory where pip installed that scenario's distributions."""
    wheel_dir = tmp_path_factory.mktemp("wheels")
    wheels = {
        name: build_wheel(wheel_dir, name, *spec, "headwater.plugins")
        for name, spec in DISTRIBUTIONS.items()
    }
    envs = {}
    for env, dists in ENVS.items():
        target = tmp_path_factory.mktemp(f"env-{env}")
        pip_install("--no-index", "--target", str(target), *(str(wheels[d]) for d in dists))
        envs[env] = target
    return envs


@pytest.fixture(autouse=True)
def clean_plugin_env(monkeypatch, request):
    """No HEADWATER_* plugin settings leak in from the caller's shell.

    The real built-ins are replaced by none, so these tests exercise discovery alone;
    test_builtins.py checks the real ones.
    """
    for name in HEADWATER_ENV:
        monkeypatch.delenv(name, raising=False)
    if "real_builtins" not in request.keywords:
        monkeypatch.setattr(headwater.builtin, "BUILTIN_PLUGINS", ())


@pytest.fixture
def use_env(plugin_envs, monkeypatch):
    """Make a scenario's installed distributions visible for this test only."""

    def use(name):
        monkeypatch.syspath_prepend(str(plugin_envs[name]))

    return use


@pytest.fixture
def fake_builtin(monkeypatch):
    """Make the hw-fakecore module the only built-in plugin for this test."""
    monkeypatch.setattr(headwater.builtin, "BUILTIN_PLUGINS", ("hw_fakecore.memstore",))
