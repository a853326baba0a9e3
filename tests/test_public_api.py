"""The public facade: every exported name resolves, and importing stays light."""

import subprocess
import sys

import pytest

import headwater


@pytest.mark.parametrize("name", headwater.__all__)
def test_every_exported_name_resolves(name):
    assert getattr(headwater, name) is not None


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        headwater.nope  # noqa: B018 - the attribute access is the test


def test_import_does_not_load_heavy_dependencies():
    code = (
        "import sys, headwater\n"
        "heavy = ['sqlalchemy', 'click', 'croniter', 'alembic', 'cattrs']\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_reference_error_spellings_are_the_same_classes():
    assert headwater.DagsterInvalidDefinitionError is headwater.InvalidDefinitionError
    assert issubclass(headwater.CycleError, headwater.DagsterError)


def test_every_public_name_is_documented_in_the_reference():
    import re
    from pathlib import Path

    reference = Path(__file__).resolve().parents[1] / "docs" / "reference"
    text = "\n".join(page.read_text(encoding="utf-8") for page in reference.glob("*.md"))
    undocumented = [
        name
        for name in headwater.__all__
        if not re.search(rf"(`(@|dg\.|headwater\.)?|^#+ (dg\.|@)?){re.escape(name)}\b", text, re.M)
    ]
    assert undocumented == [], f"public names missing from docs/reference: {undocumented}"
