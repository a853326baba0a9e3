"""Finding definitions in modules: discovery by ``dir()``, de-duplication, collision errors."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator
from types import ModuleType

import attrs

from headwater.errors import DuplicateDefinitionError, InvariantViolationError


@attrs.define
class FoundObjects:
    """Objects found in modules, each once, in discovery order, with the modules holding them."""

    objects: list[object] = attrs.field(factory=list)
    module_names: dict[int, list[str]] = attrs.field(factory=dict)

    def modules_of(self, obj: object) -> list[str]:
        """Names of the modules in which ``obj`` was found."""
        return self.module_names[id(obj)]


def find_objects(
    modules: Iterable[ModuleType],
    accept: Callable[[object], bool],
    *,
    equality_key: Callable[[object], Hashable | None] = lambda obj: None,
) -> FoundObjects:
    """Collect the attributes of ``modules`` that ``accept`` takes, and lists made only of them.

    Objects are de-duplicated by identity, so one object imported into several modules is kept
    once. Objects for which ``equality_key`` returns a key (asset specs) are de-duplicated by
    equality among objects sharing that key instead.
    """
    found = FoundObjects()
    by_equality: dict[Hashable, list[object]] = {}
    for module in modules:
        for name in dir(module):
            value = getattr(module, name)
            if accept(value):
                candidates = [value]
            elif isinstance(value, list) and value and all(accept(item) for item in value):
                candidates = value
            else:
                continue
            for candidate in candidates:
                _add(found, by_equality, candidate, module.__name__, equality_key(candidate))
    return found


def _add(found, by_equality, obj, module_name, eq_key) -> None:
    if eq_key is not None:
        for existing in by_equality.setdefault(eq_key, []):
            if existing == obj:
                obj = existing
                break
        else:
            by_equality[eq_key].append(obj)
    modules = found.module_names.get(id(obj))
    if modules is None:
        found.objects.append(obj)
        found.module_names[id(obj)] = [module_name]
    elif module_name not in modules:
        modules.append(module_name)


def check_unique(
    found: FoundObjects,
    objects: Iterable[object],
    names_of: Callable[[object], Iterable[Hashable]],
    describe: Callable[[Hashable], str],
) -> None:
    """Raise if two different objects claim one name (an asset key, a job name...).

    Raises:
        DuplicateDefinitionError: "<what> is defined multiple times. Definitions found in
            modules: m1, m2." (the module list is left out when all come from one module).
    """
    claimants: dict[Hashable, list[object]] = {}
    for obj in objects:
        for name in names_of(obj):
            claimants.setdefault(name, []).append(obj)
    for name, objs in claimants.items():
        if len(objs) < 2:
            continue
        modules: list[str] = []
        for obj in objs:
            modules.extend(m for m in found.modules_of(obj) if m not in modules)
        message = f"{describe(name)} is defined multiple times."
        if len(modules) > 1:
            message += f" Definitions found in modules: {', '.join(modules)}."
        raise DuplicateDefinitionError(message)


def caller_module(depth: int) -> ModuleType:
    """Return the module whose code is ``depth`` frames above this function's caller.

    Raises:
        InvariantViolationError: the calling code does not belong to an imported module (code
            run with ``exec`` or typed at a prompt).
    """
    frame = inspect.currentframe()
    for _ in range(depth + 1):
        frame = frame.f_back if frame is not None else None
    module = None
    if frame is not None:
        candidate = sys.modules.get(frame.f_globals.get("__name__", ""))
        if candidate is not None and vars(candidate) is frame.f_globals:
            module = candidate
    del frame
    if module is None:
        raise InvariantViolationError(
            "Could not find a module for the caller: call this function from the top level "
            "of an imported module, or pass the modules to load_*_from_modules explicitly."
        )
    return module


def package_modules(package_module: ModuleType) -> Iterator[ModuleType]:
    """Yield the package itself, then every submodule, importing each (recursively)."""
    yield package_module
    path = getattr(package_module, "__path__", None)
    if path is None:
        return
    for info in pkgutil.walk_packages(path, f"{package_module.__name__}.", _reraise):
        yield importlib.import_module(info.name)


def _reraise(name: str) -> None:
    # walk_packages silently skips subpackages that fail to import unless told otherwise; a
    # broken submodule must fail the load, not quietly drop its assets.
    raise  # walk_packages calls this inside its except block


def package_modules_by_name(package_name: str) -> Iterator[ModuleType]:
    """Import ``package_name``, then yield it and all its submodules."""
    return package_modules(importlib.import_module(package_name))
