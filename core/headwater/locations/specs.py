"""Values that describe a code location before and after it is loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from headwater.definitions.definitions import Definitions

#: A module or package imported by name (entry points, ``-m``/``--module-name``).
MODULE = "module"
#: A package imported by name whose submodules are all collected (``--package-name``).
PACKAGE = "package"
#: A Python file imported by path (``-f``/``--python-file``).
PYTHON_FILE = "python_file"

#: Where a spec built from command-line options comes from.
COMMAND_LINE = "command line"


@attrs.frozen
class LocationSpec:
    """Where one code location's definitions come from, before anything is imported.

    Args:
        name: the location's name, unique among the loaded locations.
        kind: how to load it; the built-in Python loader handles ``"module"``, ``"package"``
            and ``"python_file"``, and plugins may handle kinds of their own.
        target: a module or package name, or a file path, depending on ``kind``.
        working_directory: a directory put first on ``sys.path`` while importing.
        attribute: the name of a `Definitions` object (or a function returning one) in the
            target; when ``None`` the target's definitions are collected as documented in
            ``docs/how-to/write-a-location.md``.
        origin: a short, human-readable account of where the spec was found (an entry point
            with its distribution, or the command line).
    """

    name: str
    kind: str
    target: str
    working_directory: str | None = None
    attribute: str | None = None
    origin: str = COMMAND_LINE

    @property
    def target_label(self) -> str:
        """The target as a user writes it: ``module`` or ``module:attribute``."""
        return self.target if self.attribute is None else f"{self.target}:{self.attribute}"


@attrs.frozen
class LoadedLocation:
    """The outcome of loading one location: its definitions, or the error that stopped it.

    Attributes:
        spec: the spec that was loaded.
        definitions: the loaded `Definitions`, or ``None`` if loading failed.
        error: a one-line description of the failure (``ExceptionType: message``).
        traceback: the formatted traceback of the failure, for display with the error.
    """

    spec: LocationSpec
    definitions: Definitions | None = None
    error: str | None = None
    traceback: str | None = None

    @property
    def name(self) -> str:
        """The location's name."""
        return self.spec.name

    @property
    def ok(self) -> bool:
        """Whether the location loaded."""
        return self.error is None
