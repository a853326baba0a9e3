"""Batches larger than one INSERT statement keep their order and their index updates."""

import headwater as dg


def _wide(n):
    def make(i):
        @dg.asset(name=f"w{i:04d}")
        def value():
            return i

        return value

    return [make(i) for i in range(n)]


def test_planned_events_of_a_wide_run_are_stored_in_order():
    assets = _wide(1100)
    instance = dg.Instance.ephemeral()
    try:
        result = dg.materialize(
            assets, instance=instance, resources={"io_manager": dg.InMemoryIOManager()}
        )
        records = instance.get_event_records(
            dg.EventRecordsFilter(
                event_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
            ),
            limit=5000,
            ascending=True,
        )
        planned = [r.event_log_entry.dagster_event.asset_key for r in records]
        ids = [r.storage_id for r in records]
        assert planned == [dg.AssetKey(f"w{i:04d}") for i in range(1100)]
        assert ids == sorted(ids)
        assert len(set(ids)) == len(ids)
        logged = [entry.dagster_event.asset_key for entry in instance.all_logs(result.run_id)]
        assert [key for key in logged if key is not None][:1100] == planned
        latest = instance.get_latest_materialization_events(planned)
        assert all(latest[key].dagster_event.asset_key == key for key in planned)
    finally:
        instance.dispose()
