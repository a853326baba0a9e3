"""One multiprocess run whose middle step blocks until it is killed from outside.

Usage: victim_run.py SIGNAL_DIR. HEADWATER_HOME names the instance. The blocking step writes
its worker's pid to SIGNAL_DIR/victim.pid; the test kills that process with SIGKILL.
"""

import json
import os
import sys
import time

import headwater as dg


@dg.asset
def first():
    return 1


@dg.asset
def victim(context, first):
    context.log.info("victim started its work")
    path = os.path.join(sys.argv[1], "victim.pid")
    with open(path + ".tmp", "w") as handle:
        handle.write(str(os.getpid()))
    os.replace(path + ".tmp", path)
    time.sleep(120)
    return first + 1


@dg.asset
def after_victim(victim):
    return victim + 1


@dg.asset
def bystander():
    return "unaffected"


defs = dg.Definitions(
    assets=[first, victim, after_victim, bystander],
    jobs=[
        dg.define_asset_job(
            "victim_job", executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2})
        )
    ],
)

if __name__ == "__main__":
    with dg.Instance.get() as instance:
        result = dg.execute_job(defs.resolve_job_def("victim_job"), instance=instance)
        print(json.dumps({"run_id": result.run_id, "success": result.success}))
