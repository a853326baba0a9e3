"""Meta-tests: every hook is documented with its exact signature and exercised by a test."""

import inspect
import pathlib

import pytest

import headwater.hookspecs

ROOT = pathlib.Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name
    for name, value in vars(headwater.hookspecs).items()
    if inspect.isfunction(value) and hasattr(value, "headwater_spec")
)


def signature_of(name):
    signature = inspect.signature(getattr(headwater.hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    return f"{name}({params}) -> {signature.return_annotation}"


def test_the_hook_list_is_not_empty():
    assert "execute_step" in HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_in_the_reference_with_its_exact_signature(name):
    reference = (ROOT / "docs" / "reference" / "hookspecs.md").read_text()
    assert f"\n### {signature_of(name)}\n" in reference


@pytest.mark.parametrize("name", HOOKS)
def test_hook_has_a_docstring_with_an_example(name):
    doc = inspect.getdoc(getattr(headwater.hookspecs, name))
    assert "Example::" in doc
    assert "Called" in doc


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_exercised_by_some_test(name):
    this_file = pathlib.Path(__file__).resolve()
    sources = (
        path.read_text() for path in (ROOT / "tests").rglob("*.py") if path.resolve() != this_file
    )
    assert any(name in source for source in sources)
