"""Materialize an asset whose value kills this process while the IO manager pickles it.

Usage: killed_during_write.py. HEADWATER_HOME names the instance; the asset key is "value".
"""

import os
import signal

import headwater as dg


class DiesWhilePickled:
    """Pickling this object kills the process: a crash in the middle of handle_output."""

    def __reduce__(self):
        os.kill(os.getpid(), signal.SIGKILL)


@dg.asset(key="value")
def value():
    # Megabytes of data go to the file before the object that kills the process is reached.
    return [b"x" * (4 << 20), DiesWhilePickled()]


if __name__ == "__main__":
    with dg.Instance.get() as instance:
        dg.materialize([value], instance=instance)
