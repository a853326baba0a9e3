"""``headwater location list | validate`` against real installed distributions."""

from __future__ import annotations

import json


def json_of(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def by_name(documents):
    return {document["name"]: document for document in documents}


def test_an_installed_location_is_listed(run_cli, hello_location):
    locations = by_name(json_of(run_cli("location", "list", "--json")))
    hello = locations[hello_location]
    assert hello["status"] == "loaded"
    assert hello["kind"] == "module"
    assert hello["target"] == "hello_location"
    assert hello["origin"] == "entry point 'hello' in hello-location 0.1.0"
    assert hello["assets"] == 3
    assert hello["error"] is None


def test_a_broken_location_is_reported_and_the_others_still_list(
    run_cli, hello_location, extra_locations
):
    result = run_cli("location", "list", "--json", pythonpath=extra_locations)
    locations = by_name(json_of(result))
    assert locations[hello_location]["status"] == "loaded"
    assert locations["second"]["status"] == "loaded"
    assert locations["second"]["target"] == "second_location:defs"
    assert locations["second"]["jobs"] == 1
    broken = locations["broken"]
    assert broken["status"] == "failed"
    assert broken["origin"] == "entry point 'broken' in broken-location 1.2.3"
    assert broken["error"] == "RuntimeError: broken on purpose"
    assert "Traceback (most recent call last)" in broken["traceback"]
    assert "broken_location/__init__.py" in broken["traceback"]


def test_location_list_as_a_table_names_the_broken_location(
    run_cli, hello_location, extra_locations
):
    result = run_cli("location", "list", pythonpath=extra_locations)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ASSETS", "TARGET", "ORIGIN"]
    assert any(line.split()[:3] == ["broken", "failed", "-"] for line in lines)
    assert any(line.split()[:3] == ["hello", "loaded", "3"] for line in lines)
    assert "Location 'broken' failed: RuntimeError: broken on purpose" in result.stderr


def test_validate_exits_1_and_shows_the_traceback(run_cli, hello_location, extra_locations):
    result = run_cli("location", "validate", pythonpath=extra_locations)
    assert result.returncode == 1
    assert "ok      hello" in result.stdout
    assert "ok      second" in result.stdout
    assert "FAILED  broken: RuntimeError: broken on purpose" in result.stdout
    assert "Traceback (most recent call last)" in result.stderr
    as_json = run_cli("location", "validate", "--json", pythonpath=extra_locations)
    assert as_json.returncode == 1
    statuses = {d["name"]: d["status"] for d in json.loads(as_json.stdout)}
    assert statuses["broken"] == "failed"
    assert statuses[hello_location] == "ok"


def test_validate_passes_when_every_location_loads(run_cli, hello_location):
    result = run_cli("location", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok      hello" in result.stdout


def test_validate_reports_a_cycle_found_while_resolving(run_cli, tmp_path):
    (tmp_path / "cyclic.py").write_text(
        "import headwater as dg\n\n"
        "@dg.asset(deps=['b'])\ndef a():\n    return 1\n\n"
        "@dg.asset(deps=['a'])\ndef b():\n    return 1\n"
    )
    result = run_cli("location", "validate", "-f", "cyclic.py")
    assert result.returncode == 1
    assert "FAILED  cyclic: " in result.stdout
    assert "cycle" in result.stdout.lower()


def test_command_line_targets_replace_the_installed_locations(run_cli, hello_location, tmp_path):
    (tmp_path / "here_module.py").write_text(
        "import headwater as dg\n\n@dg.asset\ndef here():\n    return 1\n"
    )
    documents = json_of(run_cli("location", "list", "--json", "-m", "here_module"))
    assert [(d["name"], d["kind"], d["assets"]) for d in documents] == [
        ("here_module", "module", 1)
    ]
    documents = json_of(run_cli("location", "list", "--json", "-f", "here_module.py"))
    assert [(d["name"], d["kind"]) for d in documents] == [("here_module", "python_file")]


def test_attribute_and_working_directory(run_cli, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "proj_defs.py").write_text(
        "import headwater as dg\n\n@dg.asset\ndef x():\n    return 1\n\n"
        "first = dg.Definitions(assets=[x])\nsecond = dg.Definitions()\n"
    )
    ambiguous = run_cli("location", "validate", "-m", "proj_defs", "-d", str(project))
    assert ambiguous.returncode == 1
    assert "has several Definitions objects (first, second)" in ambiguous.stdout
    chosen = run_cli(
        "location", "list", "--json", "-m", "proj_defs", "-a", "first", "-d", "project"
    )
    [document] = json_of(chosen)
    assert document["target"] == "proj_defs:first"
    assert document["assets"] == 1


def test_attribute_without_a_target_is_a_usage_error(run_cli):
    result = run_cli("location", "list", "-a", "defs")
    assert result.returncode == 2
    assert "-a/--attribute and -d/--working-directory need a target" in result.stderr
