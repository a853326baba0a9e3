"""docs/reference/cli.md is generated from the click app; it must match the current commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date(tmp_path):
    env = {**os.environ, "HEADWATER_HOME": str(tmp_path)}
    code = (
        "import os, sys\n"
        "sys.path.insert(0, 'docs')\n"
        "os.environ['HEADWATER_DISABLE_PLUGIN_AUTOLOAD'] = '1'\n"
        "import generate_cli_reference as g\n"
        "sys.stdout.write(g.render())\n"
    )
    rendered = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    current = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    assert rendered == current, (
        "docs/reference/cli.md is stale: run `python docs/generate_cli_reference.py`."
    )
