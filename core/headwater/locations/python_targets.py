"""Turning a Python module, package or file into `Definitions` (the built-in location kinds).

The rule for a target without an attribute (documented in docs/how-to/write-a-location.md):

1. If the target module itself has exactly one module-level `Definitions` object, that object
   is the location.
2. If it has several, loading fails and asks for ``module:attribute``.
3. Otherwise the assets, asset checks, jobs, schedules and sensors of the module and, for a
   package, of all its submodules are collected as `load_definitions_from_package_module`
   does, and become the location.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from headwater.errors import InvalidDefinitionError
from headwater.locations.specs import MODULE, PACKAGE, PYTHON_FILE, LocationSpec

if TYPE_CHECKING:
    from headwater.definitions.definitions import Definitions

#: The location kinds this module loads.
PYTHON_KINDS = (MODULE, PACKAGE, PYTHON_FILE)


def load_python_location(spec: LocationSpec) -> Definitions:
    """Import the target of ``spec`` and return its `Definitions`.

    Raises:
        InvalidDefinitionError: the attribute is missing or not a Definitions (nor a function
            returning one), or the module holds several Definitions objects.
        Exception: whatever importing the user's code raises, unchanged.
    """
    _put_on_sys_path(spec.working_directory)
    module = _import_target(spec)
    if spec.attribute is not None:
        return _definitions_from_attribute(spec, module)
    return _definitions_from_module(spec, module)


def _import_target(spec: LocationSpec) -> ModuleType:
    if spec.kind != PYTHON_FILE:
        return importlib.import_module(spec.target)
    path = Path(spec.target).resolve()
    if not path.is_file():
        raise InvalidDefinitionError(
            f"Code location {spec.name!r}: Python file {spec.target!r} does not exist."
        )
    module_name = path.stem
    existing = sys.modules.get(module_name)
    if existing is not None and getattr(existing, "__file__", None) == str(path):
        return existing
    module_spec = importlib.util.spec_from_file_location(module_name, path)
    if module_spec is None or module_spec.loader is None:
        raise InvalidDefinitionError(
            f"Code location {spec.name!r}: {spec.target!r} cannot be imported as Python code."
        )
    module = importlib.util.module_from_spec(module_spec)
    # Registered before running so the module can find itself (load_*_from_current_module).
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _definitions_from_attribute(spec: LocationSpec, module: ModuleType) -> Definitions:
    from headwater import Definitions

    try:
        value = getattr(module, spec.attribute)
    except AttributeError:
        raise InvalidDefinitionError(
            f"Code location {spec.name!r}: module {module.__name__!r} has no attribute "
            f"{spec.attribute!r}."
        ) from None
    if not isinstance(value, Definitions) and callable(value):
        value = value()
    if not isinstance(value, Definitions):
        raise InvalidDefinitionError(
            f"Code location {spec.name!r}: {spec.target_label} is a "
            f"{type(value).__name__}, not a Definitions object or a function returning one."
        )
    return value


def _definitions_from_module(spec: LocationSpec, module: ModuleType) -> Definitions:
    from headwater import Definitions
    from headwater.locations.module_loaders import load_definitions_from_modules

    found: dict[int, str] = {}
    for name in dir(module):
        value = getattr(module, name)
        if isinstance(value, Definitions):
            found.setdefault(id(value), name)
    if len(found) == 1:
        return getattr(module, next(iter(found.values())))
    if len(found) > 1:
        names = ", ".join(sorted(found.values()))
        raise InvalidDefinitionError(
            f"Code location {spec.name!r}: module {module.__name__!r} has several Definitions "
            f"objects ({names}); name the one to load as '{module.__name__}:<attribute>'."
        )
    from headwater.locations.collect import package_modules

    return load_definitions_from_modules(list(package_modules(module)))


def _put_on_sys_path(directory: str | None) -> None:
    # Kept there after loading: user code may import its siblings lazily, when assets run.
    if directory is None:
        return
    entry = str(Path(directory).resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)
