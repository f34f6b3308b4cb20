"""Training steps of real models and the per-op overhead: ember against torch, separate processes.

Runs the team's reference instrument `../shared/bench/ratio.sh` (with `../shared/bench/step.py`)
from the repository root for each case, with torch's default threads here and single-threaded:
each framework in its own process, alternating, 3 pairs; a case's ratio is the median of the pair
ratios (NOTE [ Timing on a shared machine ] in benchmarks/_common.py). The interpreters are
EMBER_PYTHON and TORCH_PYTHON, both .venv/bin/python by default.

Run: python benchmarks/bench_models.py [--cases overhead "lenet 64" ...] [--threads 2 1] [--write]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

import _common

CASES = ["overhead", "lenet 4", "lenet 64", "lenet 256", "gpt 12", "lstm 20"]
DESCRIPTIONS = {
    "overhead": "((x*2+1).relu()*x).sum().backward() on 10 elements",
    "lenet": "the CIFAR-10 tutorial network, SGD momentum",
    "gpt": "nanoGPT-style, 2 blocks, width 128, context 64, AdamW",
    "lstm": "2-layer LSTM language model, 35 steps, clipping",
}
TITLE = "Model training steps and per-op overhead (issue 11)"


def target(case, setting, core="compiled"):
    """Issue 11's bound on the ratio for `case` under thread setting `setting` with ember's
    compiled or pure-Python core (NOTE [ Compiled core ] in ember/_compiled.py), or None."""
    name = case.split()[0]
    if name in ("gpt", "lstm"):
        return 1.5
    if name == "overhead":
        return 0.7 if core == "compiled" else 1.0
    if setting == "2":  # lenet: the bounds are for torch's default threads
        return 1.2 if case == "lenet 4" else 1.0
    return None


def parse_case(text):
    """'lenet 64' or 'lenet:64' -> 'lenet 64', checked against CASES."""
    case = " ".join(text.replace(":", " ").split())
    if case not in CASES:
        raise argparse.ArgumentTypeError(f"unknown case {text!r}; the cases: {', '.join(CASES)}")
    return case


PAIR = re.compile(r"^pair \d+: ember_us=([0-9.]+) torch_us=([0-9.]+) ratio=([0-9.]+)$", re.M)
FINAL = re.compile(r"^ratio=([0-9.]+)$", re.M)


def parse_ratio_output(text):
    """ratio.sh's output -> ([(ember_us, torch_us, ratio) per pair], final ratio)."""
    pairs = [tuple(float(x) for x in m) for m in PAIR.findall(text)]
    final = FINAL.search(text)
    if not pairs or final is None:
        raise ValueError(f"ratio.sh printed no pairs or no final ratio:\n{text}")
    return pairs, float(final.group(1))


def run_case(ratio_sh, case, setting, pythons, core="compiled"):
    """Run ratio.sh for `case`; return its row's data, the load average taken around it."""
    env = _common.thread_env(setting)
    env["EMBER_PYTHON"], env["TORCH_PYTHON"] = pythons
    env["EMBER_PURE_PYTHON"] = "1" if core == "pure" else ""
    before = _common.load_average()
    proc = subprocess.run(["bash", ratio_sh, *case.split()], cwd=_common.ROOT, env=env,
                          capture_output=True, text=True)
    after = _common.load_average()
    print(proc.stdout + proc.stderr, end="", flush=True)
    if proc.returncode != 0:
        print(f"bench_models: ratio.sh {case} exited with {proc.returncode}", file=sys.stderr)
        sys.exit(proc.returncode)
    pairs, final = parse_ratio_output(proc.stdout)
    return {"pairs": pairs, "ratio": final, "load before": before, "load after": after}


def duration(us):
    return f"{us:.1f} µs" if us < 1000 else f"{us / 1000:.2f} ms"


def table(setting, results):
    rows = []
    for (case, core), r in results.items():
        bound = target(case, setting, core)
        met = "" if bound is None else (" (met)" if r["ratio"] <= bound else " (**not met**)")
        rows.append([
            f"`{case}`: {DESCRIPTIONS[case.split()[0]]}"
            + (", pure-Python core" if core == "pure" else ""),
            duration(statistics.median(p[0] for p in r["pairs"])),
            duration(statistics.median(p[1] for p in r["pairs"])),
            f"**{r['ratio']:.2f}x**",
            ", ".join(f"{p[2]:.2f}" for p in r["pairs"]),
            "-" if bound is None else f"<= {bound}x{met}",
            f"{r['load before']} / {r['load after']}",
        ])
    return _common.markdown_table(
        ["case", "ember median", "torch median", "ratio", "pair ratios", "target",
         "load avg (1, 5, 15 min) before / after"], rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=parse_case, nargs="+", default=CASES,
                    help=f"a subset of: {', '.join(repr(c) for c in CASES)} ('lenet:64' also)")
    ap.add_argument("--threads", nargs="+", choices=list(_common.THREAD_SETTINGS),
                    default=list(_common.THREAD_SETTINGS), help="thread settings to run")
    ap.add_argument("--pure", type=parse_case, nargs="*", default=["overhead"],
                    help="cases also timed with EMBER_PURE_PYTHON=1 (ember's pure-Python core)")
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    ratio_sh = _common.shared_bench_file("ratio.sh")
    _common.shared_bench_file("step.py")
    venv_python = os.path.join(_common.ROOT, ".venv", "bin", "python")
    ember_python = os.environ.get("EMBER_PYTHON", venv_python)
    pythons = (ember_python, os.environ.get("TORCH_PYTHON", ember_python))
    env = _common.process_environment(*pythons)
    env["instrument"] = "`../shared/bench/ratio.sh CASE`, run from the repository root"
    env["ember core"] = _common.ember_core(ember_python)
    parts = []
    for setting in args.threads:
        results = {}
        for case in dict.fromkeys(args.cases):
            for core in ("compiled", "pure") if case in args.pure else ("compiled",):
                print(f"== {case}, {core} core, {_common.THREAD_SETTINGS[setting][0]}",
                      flush=True)
                results[case, core] = run_case(ratio_sh, case, setting, pythons, core)
        parts += [f"### {_common.THREAD_SETTINGS[setting][0]}", "", table(setting, results), ""]
    body = _common.report(
        TITLE, _common.command_line(), env, "\n".join(parts).rstrip(),
        ["Each framework in its own process, alternating ember, torch (3 pairs); the medians are "
         "over the three processes' median step times, the ratio is the median of the pair ratios "
         "(ember / torch). Targets: issue 11's (overhead: at most 1.0x in pure Python, 0.7x "
         "with the compiled core)."])
    _common.publish(TITLE, body, args.write)


if __name__ == "__main__":
    main()
