"""ember.distributed under real MPI: each test starts `mpiexec -n 2` on a script of scripts/
(every collective on every dtype, DDP parity, errors, faults, the launcher). Skipped where the
'distributed' extra (mpi4py with the mpich wheel) is not installed."""
import os
import subprocess
import sys
import time

import pytest

pytest.importorskip("mpi4py")
from ember.distributed._mpi import mpiexec  # noqa: E402

SCRIPTS = os.path.join(os.path.dirname(__file__), "scripts")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
MPIEXEC = mpiexec()
pytestmark = pytest.mark.skipif(MPIEXEC is None, reason="no mpiexec")


def run(cmd, timeout=120, env=None):
    start = time.monotonic()
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                       env=None if env is None else {**os.environ, **env})
    return p, time.monotonic() - start


def mpi(script, *args, n=2, timeout=120):
    return run([MPIEXEC, "-n", str(n), sys.executable, os.path.join(SCRIPTS, script), *args],
               timeout)


def ok(p, text):
    assert p.returncode == 0, p.stdout + p.stderr
    for rank in range(2):
        assert f"rank {rank}: {text}" in p.stdout, p.stdout + p.stderr


def test_every_collective_on_every_dtype_matches_numpy():
    ok(mpi("collectives.py")[0], "collectives ok")


def test_ddp_equals_one_process_on_the_full_batch():
    ok(mpi("ddp.py")[0], "ddp ok")


def test_mismatched_calls_and_bad_input_raise_on_every_rank():
    ok(mpi("errors.py")[0], "errors ok")


def _running(token):
    """Live (not zombie) processes whose command line holds `token`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                mine = token.encode() in f.read()
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if mine and state != "Z":
            found.append(pid)
    return found


def _left_behind(token, grace=5.0):
    """The processes still running `grace` seconds after the job ended."""
    deadline = time.monotonic() + grace
    while _running(token) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _running(token)


@pytest.mark.parametrize("mode", ["raise", "kill", "stall"])
def test_a_failing_rank_ends_the_job(tmp_path, mode):
    checkpoint = str(tmp_path / f"ck-{mode}.pt")
    p, seconds = mpi("faults.py", mode, checkpoint, timeout=60)
    assert p.returncode != 0, p.stdout + p.stderr
    assert seconds < 30, seconds  # the stalled peer times out after 3 s
    if mode == "raise":
        assert "rank 1 fails on purpose" in p.stderr
    if mode == "stall":
        assert "DistributedDataParallel's gradient all_reduce timed out after 3 s on rank 0" \
            in p.stderr
    assert _left_behind(checkpoint) == []
    if os.path.exists(checkpoint):  # rank 0's last checkpoint is whole, never half-written
        import ember
        assert ember.load(checkpoint)["step"] >= 0
    # an abort during a save can leave only the atomic write's hidden temporary file
    name = os.path.basename(checkpoint)
    assert all(f == name or f.startswith(f".{name}.ember-") for f in os.listdir(tmp_path))


def test_launcher_runs_an_unmodified_torch_ddp_script_with_torchruns_variables():
    p, _ = run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
                "--dropin", os.path.join(SCRIPTS, "torch_ddp.py"), "--flag", "x"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert "rank 0 of 2: ember [0, 2, 4, 6, 8] ['--flag', 'x']" in p.stdout
    assert "rank 1 of 2: ember [1, 3, 5, 7, 9] ['--flag', 'x']" in p.stdout


def test_launcher_exits_nonzero_when_a_rank_fails(tmp_path):
    script = tmp_path / "fail.py"
    script.write_text("import ember.distributed as d\nd.init_process_group()\n"
                      "if d.get_rank() == 1:\n    raise SystemExit(3)\nd.barrier()\n")
    p, seconds = run([sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
                      str(script)], timeout=60)
    assert p.returncode != 0 and seconds < 30


def test_launcher_command_line():
    from ember.distributed import run as launcher
    args = launcher._parser().parse_args(["--nproc_per_node", "3", "--nnodes", "2",
                                          "--hostfile", "hosts", "-m", "pkg.train", "--lr", "1"])
    cmd = launcher.command(args, "/x/mpiexec")
    assert cmd[:7] == ["/x/mpiexec", "-n", "6", "-f", "hosts", "-ppn", "3"]
    assert cmd[7:] == [sys.executable, "-m", "ember.distributed.run", "--child", "-m",
                       "pkg.train", "--lr", "1"]
    with pytest.raises(ValueError, match="needs --hostfile"):
        launcher.command(launcher._parser().parse_args(["--nnodes", "2", "a.py"]), "mpiexec")


def test_torchrun_variables_without_mpi_name_the_launcher():
    code = ("import ember.distributed as d\ntry:\n    d.init_process_group('gloo')\n"
            "except RuntimeError as e:\n    print(e)\n")
    p, _ = run([sys.executable, "-c", code], env={"RANK": "1", "WORLD_SIZE": "2",
                                                  "LOCAL_RANK": "1"})
    assert "RANK=1 WORLD_SIZE=2 LOCAL_RANK=1" in p.stdout, p.stdout + p.stderr
    assert "emberrun --nproc-per-node 2 script.py" in p.stdout


def test_one_process_without_mpiexec():
    code = ("import ember, ember.distributed as d\nd.init_process_group()\n"
            "t = ember.ones(2)\nd.all_reduce(t, op=d.ReduceOp.AVG)\n"
            "print(d.get_rank(), d.get_world_size(), d.get_backend(), t.tolist())\n"
            "d.destroy_process_group()\nprint(d.is_initialized())\n")
    p, _ = run([sys.executable, "-c", code])
    assert p.stdout.split() == ["0", "1", "mpi", "[1.0,", "1.0]", "False"], p.stderr
