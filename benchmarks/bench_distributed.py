"""Distributed training on this machine: ember over MPI against torch's gloo backend, each in its
own job (mpiexec for ember, torchrun for torch), alternating, single-threaded processes.

    python benchmarks/bench_distributed.py [--write]
    python benchmarks/bench_distributed.py --smoke   # every job once, tiny sizes: no figures

- all-reduce of 1, 10 and 100 MB of float32 between 2 processes (target: ember at most 1.0x gloo);
- a DDP training step of the tutorial network at global batch 256 on 2 processes, and on 1 (the
  2-process ratio should be at most the 1-process one);
- scaling: ember's images per second with 1 and 2 processes.
A worker (--worker ...) is one rank of one job; rank 0 prints its timings as JSON.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import _common

TITLE = "Distributed: all-reduce and DDP steps, ember (MPI) against torch (gloo)"
# The full run, and --smoke, which only checks that every job runs end to end. Repeats: timed
# all-reduces of each size (half for 100 MB) and timed DDP steps, per job.
SETTINGS = {
    "full": dict(sizes_mb=(1, 10, 100), global_batch=256, pairs=3, reduces=10, steps=7),
    "smoke": dict(sizes_mb=(1,), global_batch=8, pairs=1, reduces=2, steps=2),
}
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _framework(name):
    if name == "ember":
        import ember
        import ember.distributed as dist
        from ember.nn.parallel import DistributedDataParallel
        dist.init_process_group("mpi")
        return ember, dist, DistributedDataParallel
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    return torch, dist, DistributedDataParallel


def _framework_dist(name):
    if name == "ember":
        import ember.distributed as dist
    else:
        import torch.distributed as dist
    return dist


def _median_time(fn, dist, repeats):
    times = []
    for _ in range(repeats):
        dist.barrier()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker_allreduce(name, settings):
    repeats = SETTINGS[settings]["reduces"]
    lib, dist, _ = _framework(name)
    result = {}
    for mb in SETTINGS[settings]["sizes_mb"]:
        t = lib.ones(mb * 1024 * 1024 // 4)
        dist.all_reduce(t)  # warm-up: buffers and connections
        result[mb] = _median_time(lambda: dist.all_reduce(t), dist,
                                  repeats if mb < 100 else repeats // 2)
    return result


def worker_ddp(name, settings):
    lib, dist, DDP = _framework(name)
    model = DDP(_common.lenet(lib))
    opt = lib.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    per_rank = SETTINGS[settings]["global_batch"] // dist.get_world_size()
    lib.manual_seed(dist.get_rank())
    x, y = lib.randn(per_rank, 3, 32, 32), lib.randint(0, 10, (per_rank,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    step()
    step()
    return {"step": _median_time(step, dist, SETTINGS[settings]["steps"]),
            "world": dist.get_world_size()}


def _launch(framework, nproc, worker, settings):
    """Run one job; rank 0's JSON."""
    here = os.path.abspath(__file__)
    if framework == "ember":
        from ember.distributed._mpi import mpiexec
        cmd = [mpiexec(), "-n", str(nproc), sys.executable, here]
    else:
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc),
               "--master-port", "29571", here]
    cmd += ["--worker", worker, "--framework", framework, "--settings", settings]
    job = subprocess.run(cmd, capture_output=True, text=True,
                         env={**os.environ, **SINGLE_THREADED})
    if job.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({job.returncode}):\n{job.stderr[-3000:]}")
    return json.loads([line for line in job.stdout.splitlines() if line.startswith("{")][0])


def _pairs(nproc, worker, settings):
    """Alternating (ember, torch) jobs."""
    return [(_launch("ember", nproc, worker, settings), _launch("torch", nproc, worker, settings))
            for _ in range(SETTINGS[settings]["pairs"])]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--write", action="store_true", help="store the section in RESULTS.md")
    p.add_argument("--smoke", action="store_true",
                   help="run every job once at tiny sizes (a check, not a measurement)")
    p.add_argument("--worker", choices=["allreduce", "ddp"])
    p.add_argument("--framework", choices=["ember", "torch"])
    p.add_argument("--settings", choices=sorted(SETTINGS), default="full")
    args = p.parse_args()
    if args.worker:
        result = (worker_allreduce if args.worker == "allreduce" else worker_ddp)(args.framework,
                                                                                  args.settings)
        if int(os.environ.get("RANK", os.environ.get("PMI_RANK", "0"))) == 0:
            print(json.dumps(result), flush=True)
        # gloo aborts the process at exit ("terminate called without an active exception")
        # when its group is left alive: end it the documented way
        _framework_dist(args.framework).destroy_process_group()
        return
    if args.smoke and args.write:
        p.error("--smoke times nothing worth keeping: it cannot --write")
    settings = "smoke" if args.smoke else "full"
    sizes_mb, global_batch, pairs_per_case = (SETTINGS[settings][k] for k in
                                              ("sizes_mb", "global_batch", "pairs"))
    rows = []
    pairs = _pairs(2, "allreduce", settings)
    for mb in sizes_mb:
        e = statistics.median(a[str(mb)] for a, _ in pairs)
        t = statistics.median(b[str(mb)] for _, b in pairs)
        ratios = statistics.median(a[str(mb)] / b[str(mb)] for a, b in pairs)
        rows.append([f"all-reduce {mb} MB float32, 2 processes", _common.ms(e), _common.ms(t),
                     f"{ratios:.2f}x"])
    steps = {}
    for nproc in (1, 2):
        pairs = _pairs(nproc, "ddp", settings)
        steps[nproc] = [statistics.median(a["step"] for a, _ in pairs),
                        statistics.median(b["step"] for _, b in pairs),
                        statistics.median(a["step"] / b["step"] for a, b in pairs)]
        rows.append([f"DDP step, tutorial net, global batch {global_batch}, {nproc} process"
                     f"{'es' if nproc > 1 else ''}", _common.ms(steps[nproc][0]),
                     _common.ms(steps[nproc][1]), f"{steps[nproc][2]:.2f}x"])
    for nproc in (1, 2):
        rows.append([f"images/s, {nproc} process{'es' if nproc > 1 else ''}",
                     f"{global_batch / steps[nproc][0]:.0f}",
                     f"{global_batch / steps[nproc][1]:.0f}", ""])
    table = _common.markdown_table(["case", "ember ms", "torch ms", "ember/torch (median of "
                                    f"{pairs_per_case} pairs)"], rows)
    notes = ["Each rank single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1, torch.set_num_threads(1)); "
             "ember's jobs under the mpich wheel's mpiexec, torch's under torchrun with gloo. "
             "Targets: all-reduce ratio at most 1.0x; the 2-process DDP ratio at most the "
             "1-process one."]
    body = _common.report(TITLE, _common.command_line(),
                          _common.process_environment(sys.executable, sys.executable), table,
                          notes)
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
