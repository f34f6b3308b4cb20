"""The launcher, torchrun's counterpart: `python -m ember.distributed.run --nproc-per-node N
script.py [args]` (or the console script `emberrun`) runs N copies of the script under MPI's
`mpiexec` (the one the mpich wheel puts next to this Python, else the one on PATH).

Each copy sees torchrun's variables (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE), taken from
MPI's, so scripts that read them work unchanged. --dropin resolves `import torch` to ember in each
copy, as `python -m ember.run` does, so an unmodified torch DDP script runs on ember. An exception
that ends one copy ends all of them (MPI_Abort) and the launcher exits non-zero. Across machines,
give MPI a host file: --hostfile hosts --nnodes 2 (mpiexec -f hosts -ppn N).
"""
import argparse
import os
import runpy
import subprocess
import sys
import traceback

from ._mpi import INSTALL_HINT, mpiexec

PROG = "emberrun"


def _parser():
    # allow_abbrev=False: the program's own options (--nproc ...) are not launcher abbreviations
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0],
                                allow_abbrev=False)
    p.add_argument("--nproc-per-node", "--nproc_per_node", dest="nproc", type=int, default=1,
                   help="processes per machine (default: 1)")
    p.add_argument("--nnodes", type=int, default=1,
                   help="machines, listed in --hostfile (default: 1)")
    p.add_argument("--hostfile", help="MPI host file naming the machines (mpiexec -f)")
    p.add_argument("--standalone", action="store_true", help="accepted for torchrun's sake")
    p.add_argument("--dropin", action="store_true",
                   help="resolve `import torch` to ember in each process (python -m ember.run)")
    p.add_argument("-m", dest="module", action="store_true",
                   help="run the program as a module, like python -m")
    p.add_argument("program", help="the script (or, with -m, the module) to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    return p


def command(args, mpiexec_path):
    """The mpiexec command line for parsed launcher arguments."""
    if args.nproc < 1 or args.nnodes < 1:
        raise ValueError("--nproc-per-node and --nnodes must be at least 1")
    if args.nnodes > 1 and not args.hostfile:
        raise ValueError("--nnodes above 1 needs --hostfile naming the machines")
    cmd = [mpiexec_path, "-n", str(args.nproc * args.nnodes)]
    if args.hostfile:
        cmd += ["-f", args.hostfile, "-ppn", str(args.nproc)]
    child = [sys.executable, "-m", "ember.distributed.run", "--child"]
    if args.dropin:
        child.append("--dropin")
    if args.module:
        child.append("-m")
    return cmd + child + [args.program] + list(args.args)


def _torchrun_variables():
    """RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE from MPICH's (Hydra's) variables."""
    env = os.environ
    for ours, theirs in (("RANK", "PMI_RANK"), ("WORLD_SIZE", "PMI_SIZE"),
                         ("LOCAL_RANK", "MPI_LOCALRANKID"),
                         ("LOCAL_WORLD_SIZE", "MPI_LOCALNRANKS")):
        if theirs in env:
            env[ours] = env[theirs]


def _run_program(argv, module, dropin):
    if dropin:
        from ..run import main as run_main
        return run_main((["-m"] if module else []) + argv)
    sys.argv = list(argv)
    if module:
        sys.path[0] = os.getcwd()
        runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
        runpy.run_path(argv[0], run_name="__main__")
    return 0


def _child(argv):
    """One copy of the program, under mpiexec."""
    dropin = module = False
    while argv and argv[0] in ("--dropin", "-m"):
        dropin |= argv[0] == "--dropin"
        module |= argv[0] == "-m"
        argv = argv[1:]
    _torchrun_variables()
    try:
        code = _run_program(argv, module, dropin)
    except SystemExit as exc:
        code = exc.code
        if code not in (0, None):
            _abort_job()
    except BaseException:
        _abort_job(traceback.format_exc())
        return 1
    return code if isinstance(code, int) else (0 if code is None else 1)


def _abort_job(report=""):
    """Stop every copy: a rank that failed must not leave the others waiting for it."""
    if "mpi4py.MPI" in sys.modules:
        from .process_group import abort_job
        abort_job(report)
    sys.stderr.write(report)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    args = _parser().parse_args(argv)
    path = mpiexec()
    if path is None:
        print(f"{PROG}: error: mpiexec not found next to {sys.executable} nor on PATH: "
              f"{INSTALL_HINT}", file=sys.stderr)
        return 2
    try:
        cmd = command(args, path)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
