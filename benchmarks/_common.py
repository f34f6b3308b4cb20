"""Shared helpers for the benchmarks: thread settings, environment record, RESULTS.md sections.

NOTE [ Timing on a shared machine ]
ember and torch are never timed in one process: there torch's OpenMP pool and NumPy's OpenBLAS
threads disturb each other and the ratios do not reproduce. Each framework runs in its own
process, the two alternating (ember, torch, ember, torch ...: 3 pairs), and a ratio is the median
of the pair ratios, so a load change hits both sides of a pair alike. The team's reference
instrument is ../shared/bench/ratio.sh with ../shared/bench/step.py (bench_models.py runs it);
bench_conv.py does the same for single convolutions. Every ratio is taken with torch's default
threads here (THREADS=2, OpenBLAS at its own default) and single-threaded (THREADS=1
OPENBLAS_NUM_THREADS=1), and every section names the CPU model, the thread settings and the load
average: on a loaded machine the single-threaded table is the one that holds.
"""
import argparse
import datetime
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "benchmarks", "RESULTS.md")
SHARED_BENCH = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))

if ROOT not in sys.path:  # run as `python benchmarks/<name>.py` from a checkout
    sys.path.insert(0, ROOT)

# Thread settings, as `THREADS` (torch.set_num_threads) and OPENBLAS_NUM_THREADS (NumPy's BLAS;
# None: unset) in each timed process's environment.
THREAD_SETTINGS = {
    "2": ("2 threads: THREADS=2 (torch's default here), OPENBLAS_NUM_THREADS unset",
          {"THREADS": "2", "OPENBLAS_NUM_THREADS": None}),
    "1": ("single-threaded: THREADS=1 OPENBLAS_NUM_THREADS=1",
          {"THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}),
}


def thread_env(setting, base=None):
    """A copy of `base` (default os.environ) with THREAD_SETTINGS[setting] applied."""
    env = dict(os.environ if base is None else base)
    for key, value in THREAD_SETTINGS[setting][1].items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def shared_bench_file(name):
    """The path of ../shared/bench/<name>; exits with status 2 and says why when it is missing."""
    path = os.path.join(SHARED_BENCH, name)
    if not os.path.isfile(path):
        print(f"{os.path.basename(sys.argv[0])}: {path} not found. The team's reference benchmark "
              "instrument (ratio.sh and step.py) lives in ../shared/bench, next to the ember "
              "checkout; this script needs it.", file=sys.stderr)
        sys.exit(2)
    return path


def child_values(python, argv, env):
    """Run one timed child process (`python argv...` from the repository root); return its
    `key=value` stdout lines as floats. Exits naming the child when it fails."""
    proc = subprocess.run([python, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    values = {}
    for line in proc.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            try:
                values[key.strip()] = float(value)
            except ValueError:
                pass
    if proc.returncode != 0 or not values:
        raise SystemExit(f"{os.path.basename(sys.argv[0])}: child `{shlex.join(argv)}` "
                         f"failed:\n{proc.stdout}{proc.stderr}")
    return values


def alternating(pythons, argv_of, env, pairs=3):
    """`pairs` rounds of an ember child then a torch child (NOTE [ Timing on a shared machine ]):
    argv_of(framework) gives a child's arguments; returns [(ember values, torch values)]."""
    return [(child_values(pythons[0], argv_of("ember"), env),
             child_values(pythons[1], argv_of("torch"), env)) for _ in range(pairs)]


def run_cases(title, script, args, about, what, label=str):
    """Time a benchmark's cases (args from case_arguments) with case_rows, then print its
    RESULTS.md section (stored with --write): `about` joins the environment record, `what`
    describes the step in the note."""
    env = process_environment(sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    env.update(about)
    rows = case_rows(script, args.cases, args.threads, args.pairs, args.iters, label)
    notes = [f"{THREADS_NOTE} {what} Each framework in its own process, alternating "
             f"({args.pairs} pairs); each process's median step; the ratio is the median of the "
             "pair ratios (ember / torch)."]
    body = report(title, command_line(), env, markdown_table(CASE_HEADERS, rows), notes)
    publish(title, body, args.write)


def print_median_step(step, warmup, iters):
    """A timed child's report: `median_us=<x>`, the median of `iters` calls of step() after
    `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(f"median_us={statistics.median(times) * 1e6:.2f}")


THREADS_NOTE = ("Threads: \"2 threads\" is THREADS=2 (torch's default here) with "
                "OPENBLAS_NUM_THREADS unset; \"single-threaded\" is THREADS=1 "
                "OPENBLAS_NUM_THREADS=1.")
CASE_HEADERS = ["threads", "case", "ember median ms", "torch median ms", "ratio", "pair ratios",
                "load avg (1, 5, 15 min) before / after"]


def case_arguments(description, flag, cases, default, iters):
    """The command line of a benchmark timed by case_rows: the cases (`flag`, into args.cases),
    --iters, --pairs, --threads, --write, and its children's hidden --worker FRAMEWORK CASE
    ITERS."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument(flag, dest="cases", nargs="+", choices=cases, default=default)
    ap.add_argument("--iters", type=int, default=iters, help="timed steps per process")
    ap.add_argument("--pairs", type=int, default=3, help="ember/torch process pairs")
    ap.add_argument("--threads", nargs="+", choices=list(THREAD_SETTINGS),
                    default=list(THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    ap.add_argument("--worker", nargs=3, metavar=("FRAMEWORK", "CASE", "ITERS"),
                    help=argparse.SUPPRESS)
    return ap.parse_args()


def case_rows(script, cases, settings, pairs, iters, label=str):
    """A table row (CASE_HEADERS) per thread setting and case, printed as it comes: children
    `script --worker FRAMEWORK CASE ITERS` that print median_us, ember's and torch's alternating
    (`pairs` pairs; the torch children run TORCH_PYTHON, default this interpreter)."""
    pythons = (sys.executable, os.environ.get("TORCH_PYTHON", sys.executable))
    rows = []
    for setting in settings:
        threads = THREAD_SETTINGS[setting][0]
        for case in cases:
            print(f"== {threads}: {case}", flush=True)
            before = load_average()
            argv = [script, "--worker", "{fw}", case, str(iters)]
            runs = alternating(pythons, lambda fw: [a.format(fw=fw) for a in argv],
                               child_env(setting), pairs)
            ratios = [e["median_us"] / t["median_us"] for e, t in runs]
            rows.append([threads.split(":")[0], label(case),
                         f"{statistics.median(e['median_us'] for e, _ in runs) / 1e3:.2f}",
                         f"{statistics.median(t['median_us'] for _, t in runs) / 1e3:.2f}",
                         f"**{statistics.median(ratios):.2f}x**",
                         ", ".join(f"{r:.2f}" for r in ratios), f"{before} / {load_average()}"])
            print(" | ".join(rows[-1]), flush=True)
    return rows


def child_env(setting):
    """The environment of a timed child: thread setting applied, this checkout first on the path."""
    env = thread_env(setting)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def import_torch():
    """torch when installed (the reference), else None: ember is then timed alone."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def cpu_model():
    """The CPU's model name (Linux /proc/cpuinfo, with AVX-512 when it has it), else platform's."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    model = fields.get("model name") or platform.processor() or "unknown"
    return model + (", AVX-512" if "avx512f" in fields.get("flags", "").split() else "")


def load_average():
    """The 1, 5 and 15 minute load averages as text, or "n/a"."""
    if not hasattr(os, "getloadavg"):
        return "n/a"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def python_versions(python):
    """'Python x, NumPy y[, torch z]' of the interpreter `python` (a path), asked in a process."""
    probe = ("import platform, numpy\n"
             "try:\n import torch; t = ', torch ' + torch.__version__\n"
             "except ImportError:\n t = ''\n"
             "print(f'Python {platform.python_version()}, NumPy {numpy.__version__}{t}')")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    return out.stdout.strip() or f"could not run ({out.stderr.strip()[-200:]})"


def ember_core(python):
    """Which of ember's core modules `python` loads compiled (NOTE [ Compiled core ])."""
    probe = ("import ember._compiled as c, importlib\n"
             "[importlib.import_module(n) for n in c.COMPILED]\n"
             "print(', '.join(c.active()) or 'none')")
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                         env=child_env("1"))
    compiled = out.stdout.strip() or f"could not tell ({out.stderr.strip()[-200:]})"
    return (f"compiled modules: {compiled} (rows marked pure-Python ran with "
            "EMBER_PURE_PYTHON=1)")


def git_commit(root=ROOT):
    """The checkout's commit, and whether ember/ differs from it there."""
    def git(*args):
        return subprocess.run(["git", "-C", root, *args], capture_output=True,
                              text=True).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" with uncommitted changes in ember/" if git("status", "--porcelain",
                                                                  "--", "ember") else "")


def timestamp():
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M")


def process_environment(ember_python, torch_python):
    """The environment record of a benchmark that times each framework in its own process."""
    def shown(python):
        path = os.path.relpath(python, ROOT) if python.startswith(ROOT + os.sep) else python
        return f"`{path}` ({python_versions(python)})"
    return {"date": timestamp(), "cpu": f"{cpu_model()}, {os.cpu_count()} cores",
            "ember checkout": f"commit {git_commit()}",
            "ember process": shown(ember_python), "torch process": shown(torch_python)}


def environment(torch):
    """What a reader needs to reproduce or judge the numbers of an in-process benchmark."""
    import numpy as np
    env = {
        "date": timestamp(),
        "cpu": f"{cpu_model()} ({platform.machine()}, {os.cpu_count()} cores)",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch is not None else "not installed",
    }
    if torch is not None:
        env["torch threads"] = str(torch.get_num_threads())
    env["OPENBLAS_NUM_THREADS"] = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    env["load average (1, 5, 15 min) at start"] = load_average()
    return env


def ms(seconds):
    return f"{seconds * 1e3:.2f}"


def ratio(a, b):
    return f"{a / b:.2f}x" if b else "n/a"


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def report(title, command, env, table, notes=()):
    """The Markdown section a benchmark prints and, with --write, stores in RESULTS.md."""
    lines = [f"## {title}", "", f"Command: `{command}`", ""]
    lines += [f"- {k}: {v}" for k, v in env.items()]
    lines.append(f"- load average (1, 5, 15 min) at end: {load_average()}")
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > (os.cpu_count() or 1):
        lines += ["", f"**The machine was loaded (load {os.getloadavg()[0]:.1f} on "
                      f"{os.cpu_count()} cores): the times include waiting for a core; rerun on a "
                      "quiet machine before judging them.**"]
    lines += ["", table, ""]
    lines += list(notes)
    return "\n".join(lines).rstrip() + "\n"


def publish(title, body, write):
    """Print a section, and with --write store it in RESULTS.md."""
    print()
    print(body)
    if write:
        write_section(title, body)


def write_section(title, body, path=RESULTS):
    """Replace the `## title` section of RESULTS.md (up to the next `## `), or append it."""
    header = "# ember benchmark results\n\nEach section is written by the script it names.\n"
    text = header
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")


def command_line():
    return "python " + shlex.join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])


def lenet(lib):
    """The CIFAR-10 tutorial's network, written once against either framework's nn."""
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.pool, self.conv2 = nn.Conv2d(3, 6, 5), nn.MaxPool2d(2, 2), \
                nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), \
                nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = lib.flatten(x, 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
    return Net()
