"""Fixtures writing real Python packages to disk, importable for the duration of a test."""

from __future__ import annotations

import importlib
import itertools
import sys
import textwrap

import pytest

_counter = itertools.count()


@pytest.fixture
def write_package(tmp_path, monkeypatch):
    """Write a package (``{"relative/path.py": source}``) under a unique name; return the name.

    Sources may refer to the package as ``PKG``; it is replaced by the real name. The package
    is importable during the test and forgotten (``sys.modules``) afterwards.
    """
    root = tmp_path / "packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    created: list[str] = []

    def write(files: dict[str, str], name: str = "pkg") -> str:
        package = f"{name}_{next(_counter)}"
        created.append(package)
        for relative, source in {"__init__.py": "", **files}.items():
            path = root / package / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.name != "__init__.py" and not (path.parent / "__init__.py").exists():
                (path.parent / "__init__.py").write_text("")
            path.write_text(textwrap.dedent(source).replace("PKG", package))
        importlib.invalidate_caches()
        return package

    yield write
    for package in created:
        for module in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[module]
