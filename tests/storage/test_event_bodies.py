"""Event rows are stored as compact bodies; rows in the earlier full form still read back."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import headwater as dg
from headwater._serde import serialize_value


@dg.asset(metadata={"owner": "data"})
def source() -> int:
    return 1


@dg.asset
def doubled(context: dg.AssetExecutionContext, source: int) -> dg.MaterializeResult:
    context.log.warning("doubling")
    return dg.MaterializeResult(value=source * 2, metadata={"rows": dg.MetadataValue.int(2)})


@dg.asset
def broken(doubled: int) -> int:
    raise ValueError("no good")


def _logs(root: str, run_id: str) -> list[dg.EventLogEntry]:
    # A new instance: entries are parsed from the database, not taken from a cache.
    with dg.Instance.from_directory(root) as instance:
        return instance.all_logs(run_id)


def test_compact_and_full_bodies_read_back_identically(tmp_path):
    with dg.Instance.local_temp(tmp_path / "home") as instance:
        result = dg.materialize([source, doubled, broken], instance=instance, raise_on_error=False)
        written = instance.all_logs(result.run_id)
        root = instance.root_directory
    assert not result.success
    kinds = {entry.dagster_event_type for entry in written}
    assert kinds >= {
        None,
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.STEP_FAILURE,
    }
    assert any(entry.level == 30 and entry.user_message == "doubling" for entry in written)

    compact = _logs(root, result.run_id)
    assert compact == written

    database = f"{root}/headwater.db"
    with closing(sqlite3.connect(database)) as conn, conn:
        for storage_id, entry in zip(
            [row[0] for row in conn.execute("SELECT id FROM events ORDER BY id")], compact
        ):
            conn.execute(
                "UPDATE events SET body = ? WHERE id = ?", (serialize_value(entry), storage_id)
            )
        (full_bodies,) = conn.execute(
            'SELECT count(*) FROM events WHERE body LIKE \'%"__class__":"EventLogEntry"}\''
        ).fetchone()
    assert full_bodies == len(compact)
    assert _logs(root, result.run_id) == written


def test_compact_body_keeps_differing_event_fields(tmp_path):
    event = dg.DagsterEvent(
        event_type_value="ENGINE_EVENT",
        job_name="other_job",
        step_key="other_step",
        message=None,
        logging_tags={"tag": "value"},
    )
    entry = dg.EventLogEntry(
        error_info=None,
        level=40,
        user_message="",
        run_id="r1",
        timestamp=12.5,
        step_key=None,
        job_name=None,
        dagster_event=event,
    )
    with dg.Instance.local_temp(tmp_path / "home") as instance:
        instance.create_run("other_job", run_id="r1")
        instance.store_events([entry])
        root = instance.root_directory
    assert _logs(root, "r1") == [entry]
