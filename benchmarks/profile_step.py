"""Where ember's time goes in one step of a ../shared/bench/step.py case: a cProfile table.

Runs `FRAMEWORK=ember step.py CASE [BATCH]` unchanged in a fresh process, single-threaded
(THREADS=1 OPENBLAS_NUM_THREADS=1, so every kernel runs on the profiled thread) and on ember's
pure-Python core (EMBER_PURE_PYTHON=1: compiled functions are invisible to cProfile), with cProfile on
during the timed steps only: step.py's `timeit` reads time.perf_counter right before and right
after each timed step, and the profiler is switched on and off there. Import, model set-up and
warm-up are left out. Prints the top functions by own time (tottime) per step.

`--root DIR` profiles the ember checkout at DIR (say a `git worktree` of an older commit) instead
of this one: DIR goes first on PYTHONPATH and the script checks that every ember function in the
profile comes from DIR.

Run: python benchmarks/profile_step.py CASE [BATCH] [--root DIR] [--label TEXT] [--write]
     python benchmarks/profile_step.py --all [--write]      (the five cases of issue 11)
"""
import argparse
import ast
import functools
import os
import pstats
import re
import subprocess
import sys
import tempfile

import _common

CASES = [("gpt", 12), ("lstm", 20), ("lenet", 64), ("lenet", 256), ("overhead", None)]
TOP = 15

# The child: run step.py as __main__ with the profiler switched on between the two
# time.perf_counter calls around each timed step; print how many steps were profiled.
_DRIVER = """
import cProfile, runpy, sys, time
out, script = sys.argv[1], sys.argv[2]
sys.argv = sys.argv[2:]
profiler, clock, reads = cProfile.Profile(), time.perf_counter, [0]
def perf_counter():
    reads[0] += 1
    now = clock()
    if reads[0] % 2:
        profiler.enable()
    else:
        profiler.disable()
    return now
time.perf_counter = perf_counter
runpy.run_path(script, run_name="__main__")
profiler.dump_stats(out)
print("clock_reads=%d ember=%s" % (reads[0], sys.modules["ember"].__file__))
"""


@functools.lru_cache(maxsize=None)
def qualnames(filename):
    """{first line: qualified name} of the functions in a Python source file ({} if unreadable):
    cProfile records a function's bare name and the line its code starts on (the first
    decorator's line for a decorated function)."""
    try:
        with open(filename) as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    names = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    names[first] = name
                visit(child, name + ".")
            else:
                visit(child, prefix)
    visit(tree, "")
    return names


def where(filename, root):
    """A profile entry's file, relative to the checkout, the site-packages or the stdlib."""
    if filename.startswith(root + os.sep):
        return os.path.relpath(filename, root)
    for marker in ("site-packages" + os.sep, "python3." + str(sys.version_info.minor) + os.sep):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return os.path.relpath(filename, root) if os.path.isabs(filename) else filename


def profile(case, batch, root):
    """Profile the case's timed steps in a child process; return (pstats.Stats, steps)."""
    step_py = _common.shared_bench_file("step.py")
    env = _common.thread_env("1")
    env["FRAMEWORK"] = "ember"
    env["EMBER_PURE_PYTHON"] = "1"  # cProfile cannot see inside the compiled core's functions
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "step.prof")
        argv = [sys.executable, "-c", _DRIVER, out, step_py, case]
        argv += [] if batch is None else [str(batch)]
        proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"profile_step: step.py {case} failed:\n{proc.stdout}{proc.stderr}")
        fields = dict(item.split("=", 1) for item in proc.stdout.split()[-2:])
        reads = int(fields["clock_reads"])
        if reads < 2 or reads % 2:
            raise SystemExit(f"profile_step: step.py read the clock {reads} times; expected two "
                             "reads per timed step (has step.py's timeit changed?)")
        stats = pstats.Stats(out)
    ember_files = {f for f, _, _ in stats.stats if os.sep + "ember" + os.sep in f
                   and "site-packages" not in f} | {fields["ember"]}
    stray = sorted(f for f in ember_files if not f.startswith(root + os.sep))
    if stray:
        raise SystemExit(f"profile_step: ember was not imported from {root}: {stray[:3]}")
    return stats, reads // 2


def top_table(stats, steps, root, top=TOP):
    """Markdown rows of the `top` functions by own time, per step, and the total per step."""
    entries = [(key, value) for key, value in stats.stats.items()
               if not (key[0] == "<string>" and key[2] == "perf_counter")
               and "_lsprof.Profiler" not in key[2]]
    total = sum(v[2] for _, v in entries)
    entries.sort(key=lambda kv: kv[1][2], reverse=True)
    rows = []
    for (filename, line, name), (_, calls, tottime, _, _) in entries[:top]:
        name = qualnames(filename).get(line, name) if line else name
        function = (f"`{where(filename, root)}:{line} {name}`" if line
                    else f"`{re.sub(r' at 0x[0-9a-f]+', '', name)}`")
        rows.append([function, f"{calls / steps:g}", f"{tottime / steps * 1e3:.3f}",
                     f"{100 * tottime / total:.1f} %"])
    table = _common.markdown_table(
        ["function (own time)", "calls per step", "own time per step (ms)", "% of total"], rows)
    return table, total / steps


def section(case, batch, root, label):
    name = case if batch is None else f"{case} {batch}"
    title = f"Profile: {name} ({label})"
    stats, steps = profile(case, batch, root)
    table, per_step = top_table(stats, steps, root)
    command = _common.command_line()
    lines = [
        f"## {title}", "",
        f"Command: `{command}`", "",
        f"- date: {_common.timestamp()}; cpu: {_common.cpu_model()}, "
        f"{os.cpu_count()} cores; load average (1, 5, 15 min) at end: {_common.load_average()}",
        f"- ember checkout: commit {_common.git_commit(root)}"
        + ("" if root == os.path.realpath(_common.ROOT) else f" (`{root}`)"),
        f"- `FRAMEWORK=ember THREADS=1 OPENBLAS_NUM_THREADS=1 step.py {name}` under cProfile, "
        f"{steps} timed steps (warm-up, set-up and import left out): "
        f"**{per_step * 1e3:.2f} ms per step under the profiler** (cProfile slows Python-heavy "
        f"code; read the shares, not the absolute times)",
        "", table, ""]
    return title, "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case", nargs="?", choices=["overhead", "lenet", "gpt", "lstm"])
    ap.add_argument("batch", nargs="?", type=int)
    ap.add_argument("--all", action="store_true",
                    help="the five cases: " + ", ".join(f"{c} {b or ''}".strip() for c, b in CASES))
    ap.add_argument("--root", default=_common.ROOT, help="the ember checkout to profile")
    ap.add_argument("--label", default="after", help="the section title's suffix")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    if args.all == (args.case is not None):
        ap.error("give a CASE [BATCH] or --all")
    if args.case not in (None, "overhead") and args.batch is None:
        ap.error(f"{args.case} needs a BATCH")
    root = os.path.realpath(args.root)
    for case, batch in CASES if args.all else [(args.case, args.batch)]:
        title, body = section(case, None if case == "overhead" else batch, root, args.label)
        print(body, flush=True)
        if args.write:
            _common.write_section(title, body)


if __name__ == "__main__":
    main()
