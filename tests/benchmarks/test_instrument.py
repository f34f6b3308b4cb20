"""The benchmark instrument of issue 11 (benchmarks/bench_models.py, profile_step.py, _common.py):
the parts that decide what a reader sees, checked without timing anything; and the programs the
other benchmarks time, run once on ember."""
import cProfile
import importlib.util
import os
import pstats
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def load(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))

    def load(name):
        spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return load


RATIO_OUTPUT = """cpu: Intel(R) Xeon(R) Processor | threads torch=1 openblas=1 | load 6.00 3.88 1.99
pair 1: ember_us=49.17 torch_us=39.84 ratio=1.234
pair 2: ember_us=50.61 torch_us=40.01 ratio=1.265
pair 3: ember_us=49.89 torch_us=40.08 ratio=1.245
ratio=1.245
"""


def test_ratio_output_parsed(load):
    models = load("bench_models")
    pairs, final = models.parse_ratio_output(RATIO_OUTPUT)
    assert pairs == [(49.17, 39.84, 1.234), (50.61, 40.01, 1.265), (49.89, 40.08, 1.245)]
    assert final == 1.245
    with pytest.raises(ValueError, match="no pairs"):
        models.parse_ratio_output("could not measure (ember=none torch=12.5)\n")


def test_table_rows_medians_ratio_and_targets(load):
    models = load("bench_models")
    pairs, final = models.parse_ratio_output(RATIO_OUTPUT)
    row = {"pairs": pairs, "ratio": final, "load before": "1.00 1.00 1.00",
           "load after": "2.00 1.00 1.00"}
    table = models.table("1", {("overhead", "pure"): row, ("lenet 64", "compiled"): row,
                               ("overhead", "compiled"): row})
    lines = table.splitlines()
    assert "pure-Python core | 49.9 µs | 40.0 µs | **1.25x** | 1.23, 1.26, 1.25 | <= 1.0x " \
           "(**not met**)" in lines[2]
    assert "1.00 1.00 1.00 / 2.00 1.00 1.00" in lines[2]
    assert "| - |" in lines[3]  # lenet's bounds are for 2 threads only
    assert "elements | 49.9 µs" in lines[4] and "<= 0.7x" in lines[4]


def test_issue_targets(load):
    target = load("bench_models").target
    assert [target(c, "1") for c in ("gpt 12", "lstm 20", "overhead")] == [1.5, 1.5, 0.7]
    assert target("overhead", "1", "pure") == 1.0
    assert [target(c, "2") for c in ("gpt 12", "lenet 4", "lenet 64", "lenet 256")] == \
        [1.5, 1.2, 1.0, 1.0]
    assert target("lenet 64", "1") is None


def test_cases_parsed(load):
    models = load("bench_models")
    assert models.parse_case("lenet:64") == models.parse_case(" lenet  64") == "lenet 64"
    with pytest.raises(Exception, match="unknown case"):
        models.parse_case("lenet 65")


def test_thread_settings(load, monkeypatch):
    common = load("_common")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    two = common.thread_env("2")
    assert two["THREADS"] == "2" and "OPENBLAS_NUM_THREADS" not in two
    one = common.thread_env("1")
    assert one["THREADS"] == one["OPENBLAS_NUM_THREADS"] == "1"


def test_cpu_model_in_environment(load):
    common = load("_common")
    assert common.cpu_model() in common.environment(None)["cpu"]
    if os.path.exists("/proc/cpuinfo"):
        assert common.cpu_model() != "unknown"


def test_write_section_replaces_its_own_section_only(load, tmp_path):
    common = load("_common")
    path = tmp_path / "RESULTS.md"
    common.write_section("A", "## A\n\nold a\n", path)
    common.write_section("B", "## B\n\nb\n", path)
    common.write_section("A", "## A\n\nnew a\n", path)
    text = path.read_text()
    assert "old a" not in text and text.index("new a") < text.index("## B\n\nb")


def test_missing_instrument_exits_2(load, monkeypatch, tmp_path):
    common = load("_common")
    monkeypatch.setattr(common, "SHARED_BENCH", str(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        common.shared_bench_file("ratio.sh")
    assert exit_.value.code == 2


def _work(n):
    return sum(range(n)) + _Nested.work()


class _Nested:
    @staticmethod
    def work():
        return sum(range(100))


def test_profile_table_per_step(load, tmp_path):
    """Own time and calls divided by the step count; the driver's clock hook left out."""
    profile_step = load("profile_step")
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(4):
        _work(1000)
    profiler.disable()
    out = tmp_path / "p.prof"
    profiler.dump_stats(str(out))
    stats = pstats.Stats(str(out))
    stats.stats[("<string>", 7, "perf_counter")] = (1, 1, 5.0, 5.0, {})  # the driver's hook
    table, per_step = profile_step.top_table(stats, 4, str(Path(__file__).parents[2]))
    assert "perf_counter" not in table and "_lsprof" not in table
    row = next(line for line in table.splitlines() if "_work" in line)
    assert row.startswith(f"| `tests/benchmarks/{Path(__file__).name}:")
    row = next(line for line in table.splitlines() if "_Nested" in line)
    assert "_Nested.work" in row  # qualified names, read from the source
    assert row.split("|")[2].strip() == "1"  # 4 calls over 4 steps
    assert per_step < 1.0


@pytest.mark.skipif(not (BENCH.parent.parent / "shared" / "bench" / "step.py").exists(),
                    reason="needs ../shared/bench/step.py")
def test_profile_covers_the_timed_steps_of_this_checkout(load):
    profile_step = load("profile_step")
    root = os.path.realpath(BENCH.parent)
    stats, steps = profile_step.profile("overhead", None, root)
    assert steps == 3000  # step.py's timed iterations for `overhead`, warm-up left out
    names = {name for _, _, name in stats.stats}
    assert "step" in names and "backward" in names
    assert "timeit" not in names and "lenet" not in names  # the harness ran unprofiled


def test_children_alternate_and_report_key_values(load, tmp_path):
    common = load("_common")
    log = tmp_path / "order"
    script = tmp_path / "child.py"
    script.write_text("import sys\nopen(sys.argv[2], 'a').write(sys.argv[1] + ' ')\n"
                      "print('noise line')\nprint(f'median_us={len(sys.argv[1])}')\n")
    runs = common.alternating(("python3", "python3"), lambda fw: [str(script), fw, str(log)],
                              dict(os.environ), pairs=2)
    assert log.read_text().split() == ["ember", "torch", "ember", "torch"]
    assert runs == [({"median_us": 5.0}, {"median_us": 5.0})] * 2
    with pytest.raises(SystemExit, match="failed"):
        common.child_values("python3", ["-c", "import sys; sys.exit(3)"], dict(os.environ))


def test_case_rows(load, tmp_path, monkeypatch):
    """A row per thread setting and case: medians of each framework's children, the median pair
    ratio, every pair's ratio."""
    common = load("_common")
    script = tmp_path / "bench.py"
    script.write_text("import sys\n_, _, fw, case, iters = sys.argv\n"
                      "print(f'median_us={(3000 if fw == \"ember\" else 2000) * int(iters)}')\n")
    monkeypatch.setattr(common.sys, "executable", "python3")
    monkeypatch.delenv("TORCH_PYTHON", raising=False)
    rows = common.case_rows(str(script), ["a", "b"], ["1"], 2, 2, label=str.upper)
    assert [r[:6] for r in rows] == [["single-threaded", c, "6.00", "4.00", "**1.50x**",
                                      "1.50, 1.50"] for c in "AB"]
    assert len(common.CASE_HEADERS) == len(rows[0])


def test_print_median_step(load, capsys):
    common = load("_common")
    calls = []
    common.print_median_step(lambda: calls.append(1), 2, 3)
    assert len(calls) == 5  # warm-up steps are run, not timed
    out = capsys.readouterr().out.strip()
    assert out.startswith("median_us=") and float(out.split("=")[1]) >= 0


@pytest.mark.parametrize("name", ["bench_programs", "bench_rnn"])
def test_benchmark_cases_run_on_ember(load, name):
    """Every program a benchmark times builds and takes a training step on ember."""
    bench = load(name)
    for case in (bench.CELLS if name == "bench_rnn" else bench.CASES):
        bench.worker("ember", case, 1)
