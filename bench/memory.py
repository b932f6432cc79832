"""Peak memory of the running process, shared by the benchmarks (no heavy import here, so
that a child process measuring itself does not count torch or GDAL it would not load)."""

from __future__ import annotations

import sys


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB. Linux: VmHWM of /proc/self/status, the
    peak of this program alone (ru_maxrss also counts the parent's memory at fork and
    exec); elsewhere ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20
