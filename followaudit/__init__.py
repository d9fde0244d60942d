"""Follower Audit: find fake followers and show why."""

import os

# LightGBM's OpenMP threads sleep when idle instead of spinning: on a busy machine (other
# processes on the cores) spinning threads wait on each other and a 2-thread call can run 10x
# slower than 1 thread. Read by libgomp when LightGBM loads, so it is set before any import of it.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
