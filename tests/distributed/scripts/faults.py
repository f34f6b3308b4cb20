"""A rank that fails mid-training: `raise`, `kill` (SIGKILL) or `stall` (stops taking part).
Rank 0 trains and writes a checkpoint every step; the test checks that the job ends, non-zero,
in bounded time, with no process left and the checkpoint whole."""
import datetime
import os
import signal
import sys
import time

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel as DDP

mode, checkpoint = sys.argv[1], sys.argv[2]
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=3))
rank = dist.get_rank()
model = DDP(nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10)))
opt = ember.optim.SGD(model.parameters(), lr=0.1)
for step in range(10_000):
    if rank == 1 and step == 5:
        if mode == "raise":
            raise RuntimeError("rank 1 fails on purpose")
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "stall":
            time.sleep(600)
    opt.zero_grad()
    model(ember.randn(8, 64)).sum().backward()
    opt.step()
    if rank == 0:
        ember.save({"step": step, "model": model.state_dict()}, checkpoint)
