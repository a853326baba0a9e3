"""Reading and writing backfill rows (`backfills`, `backfill_runs`) in the instance's database."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from headwater._serde import deserialize_value, serialize_value
from headwater.backfills.model import Backfill, BackfillRequest, BulkActionStatus, UnitStatus
from headwater.errors import InvariantViolationError
from headwater.storage import schema


def add_backfill(instance: Any, backfill_id: str, request: BackfillRequest) -> None:
    now = time.time()
    with instance.storage.database.write() as conn:
        conn.execute(
            schema.backfills.insert().values(
                backfill_id=backfill_id,
                status=BulkActionStatus.REQUESTED.value,
                create_timestamp=now,
                update_timestamp=now,
                body=serialize_value(request),
            )
        )


def set_status(
    instance: Any, backfill_id: str, status: BulkActionStatus, owner: str | None = None
) -> None:
    table = schema.backfills
    with instance.storage.database.write() as conn:
        conn.execute(
            table.update()
            .where(table.c.backfill_id == backfill_id)
            .values(status=status.value, owner=owner, update_timestamp=time.time())
        )


def claim(instance: Any, backfill_id: str, owner: str) -> None:
    table = schema.backfills
    with instance.storage.database.write() as conn:
        conn.execute(
            table.update()
            .where(table.c.backfill_id == backfill_id)
            .values(owner=owner, update_timestamp=time.time())
        )


def read_row(instance: Any, backfill_id: str) -> Any:
    table = schema.backfills
    with instance.storage.database.read() as conn:
        row = conn.execute(sa.select(table).where(table.c.backfill_id == backfill_id)).first()
    if row is None:
        raise InvariantViolationError(
            f"No backfill with id {backfill_id!r} in the instance at {instance.root_directory}; "
            "`headwater backfill list` shows the stored ones."
        )
    return row


def read_status(instance: Any, backfill_id: str) -> BulkActionStatus:
    table = schema.backfills
    with instance.storage.database.read() as conn:
        value = conn.execute(
            sa.select(table.c.status).where(table.c.backfill_id == backfill_id)
        ).scalar_one()
    return BulkActionStatus(value)


def unit_states(instance: Any, backfill_id: str) -> dict[int, tuple[int, UnitStatus, str | None]]:
    """unit -> (latest attempt, its status, its run id)."""
    table = schema.backfill_runs
    query = (
        sa.select(table.c.unit, table.c.attempt, table.c.status, table.c.run_id)
        .where(table.c.backfill_id == backfill_id)
        .order_by(table.c.unit, table.c.attempt)
    )
    with instance.storage.database.read() as conn:
        return {
            unit: (attempt, UnitStatus(status), run_id)
            for unit, attempt, status, run_id in conn.execute(query)
        }


def set_unit(
    instance: Any,
    backfill_id: str,
    unit: int,
    attempt: int,
    status: UnitStatus,
    run_id: str | None,
) -> None:
    table = schema.backfill_runs
    values = {"status": status.value, "run_id": run_id, "update_timestamp": time.time()}
    with instance.storage.database.write() as conn:
        updated = conn.execute(
            table.update()
            .where(
                table.c.backfill_id == backfill_id,
                table.c.unit == unit,
                table.c.attempt == attempt,
            )
            .values(values)
        )
        if updated.rowcount == 0:
            conn.execute(
                table.insert().values(backfill_id=backfill_id, unit=unit, attempt=attempt, **values)
            )


def to_record(instance: Any, row: Any) -> Backfill:
    request = deserialize_value(row.body, BackfillRequest)
    states = unit_states(instance, row.backfill_id)
    statuses, run_ids = [], []
    for unit in range(len(request.plan.runs)):
        found = states.get(unit)
        statuses.append(found[1] if found else UnitStatus.PENDING)
        run_ids.append(found[2] if found else None)
    return Backfill(
        backfill_id=row.backfill_id,
        status=BulkActionStatus(row.status),
        request=request,
        unit_statuses=tuple(statuses),
        run_ids=tuple(run_ids),
        create_timestamp=row.create_timestamp,
        update_timestamp=row.update_timestamp,
    )


def list_rows(instance: Any, status: BulkActionStatus | None, limit: int | None) -> list[Any]:
    table = schema.backfills
    query = sa.select(table).order_by(table.c.id.desc())
    if status is not None:
        query = query.where(table.c.status == status.value)
    if limit is not None:
        query = query.limit(limit)
    with instance.storage.database.read() as conn:
        return list(conn.execute(query))
