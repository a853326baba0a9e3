"""Options shared by commands: where to load code locations from, and ``--json``."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from headwater.errors import InvalidDefinitionError, did_you_mean
from headwater.locations.specs import MODULE, PACKAGE, PYTHON_FILE, LocationSpec

if TYPE_CHECKING:
    from headwater.cli.state import CliState
    from headwater.locations.specs import LoadedLocation


def location_target_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-m``, ``-f``, ``--package-name``, ``-a`` and ``-d``, passed on as ``specs``.

    ``specs`` is None when none of them is given: the installed locations are used.
    """

    @click.option(
        "-m",
        "--module-name",
        "module_names",
        multiple=True,
        help="Load this module (or package) instead of the installed locations. Repeatable.",
    )
    @click.option(
        "-f",
        "--python-file",
        "python_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        help="Load this Python file instead of the installed locations. Repeatable.",
    )
    @click.option(
        "--package-name",
        "package_names",
        multiple=True,
        help="Load this package and all its submodules. Repeatable.",
    )
    @click.option(
        "-a",
        "--attribute",
        help="The Definitions object (or function returning one) to load from the single "
        "module, package or file given.",
    )
    @click.option(
        "-d",
        "--working-directory",
        type=click.Path(file_okay=False),
        help="Directory put on sys.path before importing (default: the current directory).",
    )
    @functools.wraps(func)
    def wrapper(
        *args: Any,
        module_names: Sequence[str],
        python_files: Sequence[str],
        package_names: Sequence[str],
        attribute: str | None,
        working_directory: str | None,
        **kwargs: Any,
    ) -> Any:
        specs = specs_from_options(
            module_names, python_files, package_names, attribute, working_directory
        )
        return func(*args, specs=specs, **kwargs)

    return wrapper


def specs_from_options(
    module_names: Sequence[str],
    python_files: Sequence[str],
    package_names: Sequence[str],
    attribute: str | None,
    working_directory: str | None,
) -> list[LocationSpec] | None:
    """Build location specs from the target options; None when no target is given."""
    targets = [
        *((MODULE, name, name) for name in module_names),
        *((PACKAGE, name, name) for name in package_names),
        *((PYTHON_FILE, path, Path(path).stem) for path in python_files),
    ]
    if not targets:
        if attribute or working_directory:
            raise click.UsageError(
                "-a/--attribute and -d/--working-directory need a target: "
                "-m/--module-name, -f/--python-file or --package-name."
            )
        return None
    if attribute and len(targets) > 1:
        raise click.UsageError("-a/--attribute can only be used with a single target.")
    directory = working_directory or os.getcwd()
    return [
        LocationSpec(
            name=name, kind=kind, target=target, working_directory=directory, attribute=attribute
        )
        for kind, target, name in targets
    ]


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print JSON instead of a table (shape above)."
)


def load_locations_or_fail(
    state: CliState, specs: list[LocationSpec] | None, only: str | None = None
) -> list[LoadedLocation]:
    """Load locations (one of them with ``only``) and fail if any of the loaded ones broke.

    Raises:
        InvalidDefinitionError: ``only`` names no location, or a location failed to load
            (the message names it and its error).
    """
    from headwater.locations.loading import load_locations, location_specs

    instance = state.instance
    if specs is None:
        specs = location_specs(instance)
    if only is not None:
        names = [spec.name for spec in specs]
        specs = [spec for spec in specs if spec.name == only]
        if not specs:
            known = ", ".join(names) or "none"
            raise InvalidDefinitionError(
                f"No code location named {only!r}{did_you_mean(only, names) or '.'} "
                f"Locations: {known}."
            )
    loaded = load_locations(instance, specs)
    for location in loaded:
        if not location.ok:
            raise InvalidDefinitionError(
                f"Code location {location.name!r} failed to load: {location.error} "
                "(run `headwater location validate` for the traceback)."
            )
    return loaded
