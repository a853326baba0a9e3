"""Every ```python block in docs/ runs: the examples in the documentation are tested.

Blocks of one page run in order in one namespace, in a temporary working directory with its
own HEADWATER_HOME. Snippets that are not meant to run (shell sessions, config files, partial
code) use another fence language (```bash, ```toml, ```text).
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)

PAGES = sorted(p for p in DOCS.rglob("*.md") if FENCE.search(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    # A real module, so annotations, pickling and `__module__` lookups behave as in user code.
    module = types.ModuleType(f"docs_{page.parent.name}_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    for number, block in enumerate(FENCE.findall(page.read_text(encoding="utf-8")), start=1):
        code = compile(block, f"{page.relative_to(DOCS)} (block {number})", "exec")
        exec(code, namespace)
