"""The hook specifications: every way a plugin can extend headwater.

A plugin is a module (or any object) whose functions are marked with `hookimpl` and named
after one of the hooks below. Third-party plugins announce themselves with an entry point in
the ``headwater.plugins`` group; headwater's own defaults are built-in plugins registered
through the very same hooks with ``@hookimpl(trylast=True)``, so an installed plugin can
override or wrap any of them.

Implementations are chosen by registered name (``io_manager = "parquet"`` in config), never
by import path. Each hook's docstring below is its reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from headwater.definitions import Definitions
    from headwater.events import EventLogEntry
    from headwater.instance import Instance
    from headwater.locations import LocationSpec

hookspec = pluggy.HookspecMarker("headwater")
hookimpl = pluggy.HookimplMarker("headwater")


# -- plugin manager and instance life cycle ----------------------------------------------------


@hookspec(historic=True)
def add_hookspecs(plugin_manager: pluggy.PluginManager) -> None:
    """Declare hooks of your own on the plugin manager.

    Called once for every plugin, right when the plugin is registered (historic: a plugin
    registered late still receives the call). Call ``plugin_manager.add_hookspecs(module)``
    with a module of functions marked with `hookspec`; other plugins may then implement those
    hooks. Implementations of a hook declared here pass the unknown-hook check because the
    declaration happens before the check runs. The return value is ignored.

    Example::

        @hookimpl
        def add_hookspecs(plugin_manager):
            from my_ui import hookspecs
            plugin_manager.add_hookspecs(hookspecs)
    """


@hookspec
def configure(instance: Instance) -> None:
    """Start clients and read plugin settings when an instance is created.

    Called once per instance, on every plugin, when the instance is constructed
    (`Instance.get`, `Instance.ephemeral`, `Instance.local_temp`). Plugin settings live in
    the instance's ``headwater.toml``. The return value is ignored. Pair with `unconfigure`.
    Not historic: many short-lived instances (one per test, say) must not pile up in the
    plugin manager's call history.

    Example::

        @hookimpl
        def configure(instance):
            _clients[id(instance)] = connect(os.environ["WAREHOUSE_URL"])
    """


@hookspec
def unconfigure(instance: Instance) -> None:
    """Stop the clients started by `configure` when an instance is disposed.

    Called once per instance, on every plugin that implements it. The return value is ignored.

    Example::

        @hookimpl
        def unconfigure(instance):
            _clients.pop(id(instance)).close()
    """


# -- registries: collect every plugin's named implementations --------------------------------


@hookspec
def register_io_managers() -> Mapping[str, object]:
    """Offer IO managers by name: ``{"parquet": ParquetIOManager}``.

    Called on every plugin each time the IO manager registry is built (once per plugin
    manager in practice). Each value is an IO manager factory or definition; config and code
    choose one by its name. Return None (or nothing) to offer none. A name offered by a
    ``trylast`` implementation (the built-ins) is replaced by any other plugin offering the
    same name; two other plugins offering one name is an error naming both.

    Example::

        @hookimpl
        def register_io_managers():
            return {"parquet": ParquetIOManager}
    """


@hookspec
def register_executors() -> Mapping[str, object]:
    """Offer executors by name: ``{"dask": dask_executor}``.

    Called on every plugin each time the executor registry is built. Each value is an
    executor definition; jobs and config choose one by name. Return None to offer none. Names
    clash and override exactly as for `register_io_managers`.

    Example::

        @hookimpl
        def register_executors():
            return {"dask": dask_executor}
    """


@hookspec
def register_storage_backends() -> Mapping[str, object]:
    """Offer storage backends by name: ``{"sqlite": SqliteStorage}``.

    Called on every plugin each time the storage registry is built. Each value is a backend
    factory with a ``url_schemes`` attribute, a tuple of the URL schemes it opens (for example
    ``("postgresql",)``); instance config chooses a backend by name or by the scheme of its
    storage URL (``postgresql+psycopg://...`` matches ``postgresql``). The instance calls
    ``factory(url)`` to open the storage, and ``factory(url, check_schema=False)`` to open an
    out-of-date database for migration. Return None to offer none. Names clash and override
    exactly as for `register_io_managers`.

    Example::

        @hookimpl
        def register_storage_backends():
            return {"postgresql": PostgresStorage}  # PostgresStorage.url_schemes == ("postgresql",)
    """


@hookspec
def register_automation_conditions() -> Mapping[str, type]:
    """Offer automation condition classes by name, for serialisation and config.

    Called on every plugin each time the condition registry is built. Return None to offer
    none. Names clash and override exactly as for `register_io_managers`.

    Example::

        @hookimpl
        def register_automation_conditions():
            return {"business_day": BusinessDayCondition}
    """


# -- code locations ------------------------------------------------------------------------------


@hookspec
def register_code_locations(instance: Instance) -> Iterable[LocationSpec]:
    """Say where code locations come from: return location specs.

    Called on every plugin once each time an instance loads its code locations. Every
    returned spec is later turned into definitions by `load_code_location`. The built-in
    implementation returns one spec per ``headwater.locations`` entry point. Return None to
    add none.

    Example::

        @hookimpl
        def register_code_locations(instance):
            return [LocationSpec(name="nightly", kind="notebook", target="etl.ipynb")]
    """


@hookspec(firstresult=True)
def load_code_location(spec: LocationSpec, instance: Instance) -> Definitions | None:
    """Turn one location spec into `Definitions`.

    Called once per spec, first result wins: implementations run until one returns something
    other than None. Return None when the spec is of a kind you do not handle (check
    ``spec.kind``). An exception marks that location as failed without stopping the others.

    Example::

        @hookimpl
        def load_code_location(spec, instance):
            if spec.kind != "notebook":
                return None
            return definitions_from_notebook(spec.target)
    """


# -- execution and events ----------------------------------------------------------------------


@hookspec(firstresult=True)
def execute_step(step: object, context: object) -> object | None:
    """Run one execution-plan step and return its result.

    Called once per step attempt by the executor, first result wins: the built-in
    implementation (``trylast``) runs the step in the current process, and a plugin returning
    something other than None takes over (to run the step elsewhere, say). ``step`` is the
    plan step and ``context`` its execution context, both from ``headwater.execution``.

    Wrappers run around whichever implementation answers, which is how retries, timeouts and
    tracing are added. A wrapper is a generator marked ``@hookimpl(wrapper=True)``: code before
    ``yield`` runs first, ``yield`` returns the result (or raises the implementation's
    exception), and the wrapper returns the result it wants callers to see. A wrapper yields
    exactly once; to run the step again (a retry) it calls the hook again without itself,
    through ``plugin_manager.subset_hook_caller("execute_step", remove_plugins=[plugin])``
    with the plugin manager it received in `add_hookspecs`.

    Example::

        @hookimpl(wrapper=True)
        def execute_step(step, context):
            started = time.perf_counter()
            try:
                return (yield)
            finally:
                tracer.record(step, time.perf_counter() - started)
    """


@hookspec
def handle_event(event: EventLogEntry, instance: Instance) -> None:
    """Observe every event the instance stores (alerts, lineage export).

    Called on every plugin once per event, after the event's transaction commits, in the run
    coordinator's process. The return value is ignored. Keep it quick: it runs inline with
    the run; hand slow work to a queue.

    Example::

        @hookimpl
        def handle_event(event, instance):
            audit_log.write(event.run_id, event.timestamp)
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``headwater`` command line.

    Called once on every plugin when the CLI is built; add commands or groups to ``cli``
    with ``cli.add_command(...)``. The core commands are added this way too. The return value
    is ignored. Import heavy modules inside the commands, not at module level, so
    ``headwater --help`` stays fast.

    Example::

        @hookimpl
        def register_commands(cli):
            import click

            @cli.command()
            def hello():
                click.echo("hello")
    """
