"""Backfills: materialize a selection of assets over many partitions, as planned runs.

`launch_backfill` plans the runs (following each asset's `BackfillPolicy` and the partition
mappings between assets), records the backfill with its plan, and runs it in this process;
`resume_backfill` finishes one after a crash, `cancel_backfill` stops one.
"""

from headwater.backfills.model import (
    BACKFILL_ID_TAG,
    Backfill,
    BackfillPlan,
    BackfillRequest,
    BackfillRunPlan,
    BackfillStatus,
    BulkActionStatus,
    UnitStatus,
)
from headwater.backfills.planner import plan_backfill, resolve_max_partitions_per_run
from headwater.backfills.runner import (
    cancel_backfill,
    get_backfill,
    get_backfills,
    launch_backfill,
    resume_backfill,
)

__all__ = [
    "BACKFILL_ID_TAG",
    "Backfill",
    "BackfillPlan",
    "BackfillRequest",
    "BackfillRunPlan",
    "BackfillStatus",
    "BulkActionStatus",
    "UnitStatus",
    "cancel_backfill",
    "get_backfill",
    "get_backfills",
    "launch_backfill",
    "plan_backfill",
    "resolve_max_partitions_per_run",
    "resume_backfill",
]
