"""Run `materialize` N times against the instance in HEADWATER_HOME; print one JSON line each.

Usage: many_runs.py NAME N GO_FILE. Waits until GO_FILE exists, so that several of these
processes start writing at the same moment. Each line gives the run id, success, and the
event types of the run in the order this process produced them.
"""

import json
import os
import sys
import time

import headwater as dg

name, count, go_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]


# Every process writes the same assets: the runs contend for the same index rows and files.
@dg.asset
def source():
    return 1


@dg.asset(deps=[source])
def doubled(context):
    context.log.info("doubling")
    return 2


@dg.asset
def summary(doubled):
    return doubled + 1


if __name__ == "__main__":
    while not os.path.exists(go_file):
        time.sleep(0.005)
    with dg.Instance.get() as instance:
        for _ in range(count):
            result = dg.materialize(
                [source, doubled, summary], instance=instance, tags={"writer": name}
            )
            types = [
                entry.dagster_event.event_type_value if entry.dagster_event else None
                for entry in result.event_log_entries
            ]
            line = {"run_id": result.run_id, "success": result.success, "types": types}
            print(json.dumps(line), flush=True)
