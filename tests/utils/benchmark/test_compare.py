"""Compare: torch's table of medians, grouped by label, rows by thread count, env and sub-label,
columns by description; trimming to significant figures, colors and variance notes. The
measurements are built from fixed times, so the printed tables must equal torch's exactly."""
import pytest

import ember.utils.benchmark as bench

# (label, sub_label, description, num_threads, env, per-run times in seconds)
SPECS = [
    ("Add", "float", "n=1", 1, None, [1.5e-6, 1.52e-6, 1.49e-6, 1.5e-6]),
    ("Add", "float", "n=1000", 1, None, [6e-6, 2e-6, 10e-6, 2e-6, 6e-6]),
    ("Add", "int", "n=1", 1, None, [2.0e-6, 2.1e-6, 1.9e-6, 2.0e-6]),
    ("Add", "int", "n=1000", 1, None, [6.5e-6, 6.4e-6, 6.6e-6, 6.5e-6]),
    ("Add", "float", "n=1", 4, None, [3.1e-6, 3.0e-6, 3.2e-6, 3.1e-6]),
    ("Add", "int", "n=1000", 4, None, [31e-6, 30e-6, 33e-6, 32e-6]),
    ("Mul", "a", "big", 1, None, [3.3e-3, 3.31e-3, 3.29e-3]),
    ("Mul", "b", "big", 1, None, [0.5e-3, 0.52e-3, 0.49e-3]),
    ("Mul", "b", "small", 1, None, [12e-3, 11e-3, 13e-3, 12.5e-3]),
]
# inserted out of (threads, env) order; thread group 2 starts with the env group 1 ended with
ENV_SPECS = [
    ("Env", "y", "e", 1, "BBB", [3e-3]),
    ("Env", "x", "d", 1, "A", [3e-3]),
    ("Env", "x", "d", 1, "BBB", [2e-3]),
    ("Env", "x", "d", 2, "BBB", [9e-3]),
]
# one column with a median in each color band: x1.005 and x1.05 of the best, x1.15, x2.5, x5.5
BAND_SPECS = [("Bands", f"r{i}", "c", 1, None, [ratio * 1e-3])
              for i, ratio in enumerate([1.0, 1.005, 1.05, 1.15, 2.5, 5.5])]


def _measurements(bench_module, specs):
    return [bench_module.Measurement(1, times, bench_module.TaskSpec(
        "x + y", "pass", label=label, sub_label=sub, description=desc, num_threads=threads,
        env=env)) for label, sub, desc, threads, env, times in specs]


def _table(bench_module, specs, *options):
    compare = bench_module.Compare(_measurements(bench_module, specs))
    for option in options:
        option(compare)
    return str(compare)


OPTIONS = {
    "plain": (),
    "trimmed": (lambda c: c.trim_significant_figures(),),
    "columnwise": (lambda c: c.colorize(),),
    "rowwise": (lambda c: c.colorize(rowwise=True),),
    "everything": (lambda c: c.trim_significant_figures(), lambda c: c.colorize(),
                   lambda c: c.highlight_warnings()),
    "warnings": (lambda c: c.highlight_warnings(),),
}


@pytest.mark.parametrize("specs", [SPECS, ENV_SPECS, BAND_SPECS], ids=["threads", "envs", "bands"])
@pytest.mark.parametrize("options", sorted(OPTIONS))
def test_tables_equal_torch(specs, options):
    torch_bench = pytest.importorskip("torch.utils.benchmark")
    assert _table(bench, specs, *OPTIONS[options]) == _table(torch_bench, specs, *OPTIONS[options])


def test_table_layout():
    assert _table(bench, SPECS[6:]) == (
        "[----------- Mul ------------]\n"
        "         |   big    |   small \n"
        "1 threads: -------------------\n"
        "      a  |  3300.0  |         \n"
        "      b  |   500.0  |  12250.0\n"
        "\n"
        "Times are in microseconds (us).\n")
    trimmed = _table(bench, SPECS[6:], OPTIONS["trimmed"][0])
    assert "      b  |   500  |  10000\n" in trimmed  # 12250 has 1 significant figure


def test_colors_mark_the_best_and_the_slow():
    best, very_bad, end = "\033[92m\033[1m", "\033[31m\033[1m", "\033[0m\033[0m"
    columnwise = _table(bench, SPECS[6:], lambda c: c.colorize())
    assert f"      a  |  {very_bad}3300.0{end}  |         \n" in columnwise  # >= 5 x 500
    assert f"      b  |  {best} 500.0{end}  |  {best}12250.0{end}\n" in columnwise
    rowwise = _table(bench, SPECS[6:], lambda c: c.colorize(rowwise=True))
    assert f"      a  |  {best}3300.0{end}  |" in rowwise  # alone in its row
    assert f"      b  |  {best} 500.0{end}  |  {very_bad}12250.0{end}\n" in rowwise


def test_highlighted_warnings_show_the_spread():
    table = _table(bench, SPECS[:4], lambda c: c.highlight_warnings())
    # n=1000, float: IQR 4 us of a 6 us median
    assert "      float  |  1.5  |  6.0 (! 67%)\n      int    |  2.0  |   6.5       \n" in table
    assert table.endswith("(! XX%) Measurement has high variance, where XX is the "
                          "IQR / median * 100.\n")
    assert "(!" not in _table(bench, SPECS[:4])


def test_replicates_merge_and_results_extend():
    a = _measurements(bench, [("R", "s", "d", 1, None, [1e-3, 1e-3])])[0]
    b = _measurements(bench, [("R", "s", "d", 1, None, [2e-3, 3e-3, 3e-3])])[0]
    compare = bench.Compare([a])
    compare.extend_results([b])
    assert "      s  |  2.0\n" in str(compare)  # one cell: the median of all five times
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`, got <class "
                                         "'float'> instead."):
        compare.extend_results([1.0])


def test_print_writes_the_tables(capsys):
    compare = bench.Compare(_measurements(bench, SPECS))
    compare.print()
    out = capsys.readouterr().out
    assert out == str(compare) + "\n"
    assert out.count("Times are in") == 2 and "[------" in out and "4 threads: " in out


def test_missing_description_is_an_empty_column_title():
    # torch raises TypeError here (len(None)); ember shows the column without a title
    m = _measurements(bench, [(None, "s", None, 1, None, [2e-6])])
    assert str(bench.Compare(m)).startswith("[------  -----]\n         |     \n1 threads: ----\n")
