"""A failing or interrupted write never replaces a good stored value."""

from __future__ import annotations

import os
import pickle
import signal
import sys

import pytest

import headwater as dg


class _Unpicklable:
    """Pickling fails after the data before it was already written to the file."""

    def __reduce__(self):
        raise TypeError("this object refuses to be pickled")


class _KillsItsProcess:
    def __reduce__(self):
        os.kill(os.getpid(), signal.SIGKILL)


def _good_value(instance):
    @dg.asset(key="value")
    def value():
        return 1

    assert dg.materialize([value], instance=instance).success


def _stored(instance):
    with open(os.path.join(instance.storage_directory(), "value"), "rb") as handle:
        return pickle.load(handle)


def _loaded(instance):
    @dg.asset(key="value")
    def value():
        raise AssertionError("not called: the stored value is read")

    @dg.asset
    def reader(value):
        return value

    return dg.materialize([value, reader], selection=[reader], instance=instance).asset_value(
        "reader"
    )


def _leftovers(instance):
    return sorted(name for name in os.listdir(instance.storage_directory()) if name != "value")


def test_an_asset_that_raises_mid_way_leaves_the_stored_value(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        _good_value(instance)

        @dg.asset(key="value")
        def value():
            partial = [2]
            raise RuntimeError(f"failed after computing {partial}")

        result = dg.materialize([value], instance=instance, raise_on_error=False)

        assert not result.success
        assert _stored(instance) == 1
        assert _loaded(instance) == 1


def test_a_value_that_cannot_be_pickled_leaves_the_stored_value(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        _good_value(instance)

        @dg.asset(key="value")
        def value():
            return [b"x" * (1 << 20), _Unpicklable()]

        result = dg.materialize([value], instance=instance, raise_on_error=False)

        assert not result.success
        [failure] = result.get_step_failure_events()
        assert 'Error occurred while handling output "result" of step "value"' in (
            failure.event_specific_data.error.message
        )
        assert _stored(instance) == 1
        assert _leftovers(instance) == []
        assert _loaded(instance) == 1
        latest = instance.get_latest_materialization_event(dg.AssetKey("value"))
        assert latest.run_id != result.run_id


@pytest.mark.skipif(sys.platform == "win32", reason="workers are forked")
def test_a_worker_killed_during_handle_output_leaves_the_stored_value(tmp_path):
    with dg.Instance.local_temp(tmp_path) as instance:
        _good_value(instance)

        @dg.asset(key="value")
        def value():
            return [b"x" * (4 << 20), _KillsItsProcess()]

        job = dg.Definitions(
            assets=[value],
            jobs=[dg.define_asset_job("j", executor_def=dg.multiprocess_executor)],
        ).resolve_job_def("j")
        result = dg.execute_job(job, instance=instance)

        assert not result.success
        [failure] = result.get_step_failure_events()
        assert "exited with signal 9 (SIGKILL) while running step 'value'" in failure.message
        assert _stored(instance) == 1
        assert _loaded(instance) == 1


def test_the_whole_process_killed_during_handle_output_leaves_the_stored_value(home, processes):
    with dg.Instance.get() as instance:
        _good_value(instance)

    process = processes.start("killed_during_write.py")
    process.communicate(timeout=60)

    assert process.returncode == -signal.SIGKILL
    with dg.Instance.get() as instance:
        assert _stored(instance) == 1
        # A killed process cannot clean up: its partial temporary file may remain, hidden
        # and never read; the stored value is untouched.
        assert all(
            name.startswith(".value.") and name.endswith(".tmp") for name in _leftovers(instance)
        )
        assert _loaded(instance) == 1
