"""benchmarks/kernel_split_times.py runs and reports the whole kernel, half the batch and each
part of the split."""
import os
import subprocess
import sys

import pytest

from ember.ops import _threads

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "kernel_split_times.py")


@pytest.mark.skipif(_threads._BLAS is None, reason="needs NumPy's OpenBLAS")
def test_reports_whole_half_and_both_parts():
    out = subprocess.run([sys.executable, SCRIPT, "--batch", "4", "--steps", "10"],
                         capture_output=True, text=True, check=True).stdout
    rows = {line.split("  ")[1].strip(): line for line in out.splitlines()[1:]}
    assert set(rows) == {"whole", "half alone", "split in two"}
    assert len(rows["split in two"].split("parts")[1].split()) == 2
    assert len(rows["whole"].split("parts")[1].split()) == 1
