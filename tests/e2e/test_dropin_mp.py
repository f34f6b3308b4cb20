"""The drop-in programs of tests/e2e/dropin_mp/ (multiprocessing, DataParallel, amp, profiler,
checkpoint, tensorboard): each runs through `python -m ember.run` with plain `import torch`
lines and, where torch is installed, prints what it prints under torch."""
import os
import subprocess
import sys

import pytest

from .test_dropin_programs import _assert_same_output

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = os.path.join(HERE, "dropin_mp")


def _run(*argv):
    r = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=PROGRAMS,
                       env=dict(os.environ, PYTHONPATH=ROOT), timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("program", sorted(p for p in os.listdir(PROGRAMS) if p.endswith(".py")))
def test_program_runs_on_ember_as_on_torch(program):
    got = _run("-m", "ember.run", program)
    assert got.strip()
    pytest.importorskip("torch")
    _assert_same_output(got, _run(program))
