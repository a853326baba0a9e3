"""Asset keys and partition keys that would escape the storage directory are refused."""

from __future__ import annotations

import os

import pytest

import headwater as dg

# Refused when the asset is defined: a component holds a separator or a NUL.
SEPARATOR_KEYS = [["a", "../../x"], ["../x"], ["/tmp/absolute"], ["a/b"], ["nul\x00byte"]]
# Valid key components, but "." and ".." can never be a file under the storage directory.
DOT_KEYS = [[".."], ["..", "..", "x"], ["a", "."], ["a", "..", "..", "x"]]


def _tree(root):
    found = set()
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(directory, name), root))
    return found


@pytest.mark.parametrize("parts", SEPARATOR_KEYS, ids=repr)
def test_a_key_component_with_a_separator_is_refused_when_defined(parts):
    with pytest.raises(dg.InvalidDefinitionError, match="is not a valid name"):

        @dg.asset(key=dg.AssetKey(parts))
        def escaping():
            return "payload"


@pytest.mark.parametrize("parts", DOT_KEYS, ids=repr)
def test_a_dot_key_is_refused_when_stored_and_nothing_is_written_outside(tmp_path, parts):
    home = tmp_path / "deep" / "home"
    home.mkdir(parents=True)
    before = _tree(tmp_path)

    @dg.asset(key=dg.AssetKey(parts))
    def escaping():
        return "payload"

    with dg.Instance.local_temp(home) as instance:
        result = dg.materialize([escaping], instance=instance, raise_on_error=False)

        assert not result.success
        [failure] = result.get_step_failure_events()
        error = failure.event_specific_data.error
        assert 'Error occurred while handling output "result" of step' in error.message
        assert "Refusing to store asset key" in error.cause.message
        assert "is empty or a relative directory reference" in error.cause.message
        assert instance.get_latest_materialization_event(dg.AssetKey(parts)) is None
    written = _tree(tmp_path) - before
    assert all(path.startswith(os.path.join("deep", "home") + os.sep) for path in written)
    assert not any(path.endswith(os.sep + "x") or path == "x" for path in written)


def test_the_refusal_is_raised_with_raise_on_error(tmp_path):
    @dg.asset(key=dg.AssetKey(["..", "..", "x"]))
    def escaping():
        return "payload"

    with (
        dg.Instance.local_temp(tmp_path / "home") as instance,
        pytest.raises(
            dg.InvariantViolationError,
            match=r"component '\.\.' is empty or a relative directory reference",
        ),
    ):
        dg.materialize([escaping], instance=instance)

    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("parts", SEPARATOR_KEYS + DOT_KEYS, ids=repr)
def test_the_fs_io_manager_refuses_escaping_keys_on_write_and_read(tmp_path, parts):
    base = tmp_path / "base" / "storage"
    base.mkdir(parents=True)
    secret = tmp_path / "x"
    secret.write_bytes(b"not a pickle")
    manager = dg.FilesystemIOManager(base_dir=str(base)).create_io_manager(None)
    key = dg.AssetKey(parts)

    with pytest.raises(dg.InvariantViolationError, match="Refusing to store asset key"):
        manager.handle_output(dg.build_output_context(asset_key=key), "payload")
    with pytest.raises(dg.InvariantViolationError, match="Refusing to store asset key"):
        manager.load_input(dg.build_input_context(asset_key=key))
    assert _tree(tmp_path) == {"base", os.path.join("base", "storage"), "x"}
    assert secret.read_bytes() == b"not a pickle"


def test_an_escaping_partition_key_is_refused(tmp_path):
    partitions = dg.StaticPartitionsDefinition(["ok", "../../escape"])

    @dg.asset(partitions_def=partitions)
    def parted():
        return 1

    with dg.Instance.local_temp(tmp_path / "home") as instance:
        assert dg.materialize([parted], instance=instance, partition_key="ok").success
        result = dg.materialize(
            [parted], instance=instance, partition_key="../../escape", raise_on_error=False
        )

        assert not result.success
        [failure] = result.get_step_failure_events()
        assert "component '../../escape' contains a path separator" in (
            failure.event_specific_data.error.cause.message
        )
    assert not (tmp_path / "escape").exists()
