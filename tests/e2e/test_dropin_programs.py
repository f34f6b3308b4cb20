"""The drop-in test: each program in tests/e2e/dropin/ is ordinary PyTorch code (plain `import
torch` lines). It runs through `python -m ember.run`, and, where torch is installed, also under
torch; the two outputs must agree token by token, numbers to a tolerance."""
import math
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = os.path.join(HERE, "dropin")
EMBER_ONLY = {"ember_only_refusals.py": "onnx: NotImplementedError True\n"
                                        "bfloat16: TypeError True\n"
                                        "missing module: torch.fx True\n"}
_TOKEN = re.compile(r"[^\s\[\](),:]+")


def _run(*argv):
    # one thread each: torch's OpenMP pool spins on a busy machine (a tutorial took 229 s
    # instead of 9), and the comparison needs no speed
    r = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=PROGRAMS,
                       env=dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1"), timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


def _same(a, b):
    try:
        x, y = float(a), float(b)
    except ValueError:
        return a == b
    return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=1e-4, abs_tol=1e-6)


def _assert_same_output(got, want):
    got_lines, want_lines = got.splitlines(), want.splitlines()
    assert len(got_lines) == len(want_lines), (got, want)
    for g, w in zip(got_lines, want_lines):
        gt, wt = _TOKEN.findall(g), _TOKEN.findall(w)
        assert len(gt) == len(wt) and all(map(_same, gt, wt)), f"ember: {g}\ntorch: {w}"


def test_token_comparison_catches_a_difference():
    _assert_same_output("loss [0.5, 1.25] cpu", "loss [0.50001, 1.25] cpu")
    with pytest.raises(AssertionError):
        _assert_same_output("loss [0.5, 1.25] cpu", "loss [0.51, 1.25] cpu")
    with pytest.raises(AssertionError):
        _assert_same_output("device cpu", "device cuda")


@pytest.mark.parametrize("program", sorted(p for p in os.listdir(PROGRAMS) if p.endswith(".py")))
def test_program_runs_on_ember_as_on_torch(program):
    got = _run("-m", "ember.run", program)
    if program in EMBER_ONLY:
        assert got == EMBER_ONLY[program]
        return
    assert got.strip()
    pytest.importorskip("torch")
    _assert_same_output(got, _run(program))
