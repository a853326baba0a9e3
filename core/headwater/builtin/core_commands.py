"""Built-in plugin: the core ``headwater`` commands, registered like any plugin's commands.

Each group is registered lazily (import path and short help), so ``headwater --help`` imports
none of them; a plugin can replace a core group by adding a command of the same name.
"""

from __future__ import annotations

from headwater.hookspecs import hookimpl

#: name -> (import path of the click command, short help shown by ``headwater --help``)
CORE_COMMANDS: dict[str, tuple[str, str]] = {
    "asset": ("headwater.cli.commands.asset:asset", "List, materialize and wipe assets."),
    "backfill": ("headwater.cli.commands.backfill:backfill", "Launch, list and cancel backfills."),
    "instance": ("headwater.cli.commands.instance:instance", "Inspect and migrate the instance."),
    "job": ("headwater.cli.commands.job:job", "List and execute jobs."),
    "location": ("headwater.cli.commands.location:location", "List and validate code locations."),
    "plugins": ("headwater.cli.commands.plugins:plugins", "Show installed plugins."),
    "run": ("headwater.cli.commands.run:run", "List, inspect and delete runs."),
}


@hookimpl(trylast=True)
def register_commands(cli):
    for name, (import_path, short_help) in CORE_COMMANDS.items():
        if name not in cli.commands:
            cli.add_lazy_command(name, import_path, short_help)
