"""Hurwitz zeta (polygamma's, trigamma's: digamma's backward) at poles far down the negative axis:
every float past 2^52 (2^23 in float32) is an integer, so a pole, and the series must take no
steps there (at -1e30 it took 1e30 and never returned). A subprocess bounds the time."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import ember

PROGRAM = textwrap.dedent("""
    import ember
    x = ember.tensor([-1e30, -2.0**60, -3.0, 0.25], dtype=ember.float64, requires_grad=True)
    ember.digamma(x).sum().backward()
    print(x.grad.tolist(), ember.polygamma(2, x.detach()).tolist())
""")


def test_far_negative_poles_return_at_once():
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    grad, second = _lists(out.stdout)
    assert grad[:3] == [np.inf] * 3 and second[:3] == [-np.inf] * 3
    trigamma = torch.polygamma(1, torch.tensor(0.25, dtype=torch.float64)).item()
    assert grad[3] == pytest.approx(trigamma)


def _lists(text):
    """The two printed lists (inf prints as inf: read it as a float)."""
    first, second = text.strip().split("] [")
    env = {"inf": np.inf}
    return eval(first + "]", env), eval("[" + second, env)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_at_negative_half_integers_matches_torch(n):
    values = [-2.5, -99999.5, -0.5, 0.25]
    got = ember.polygamma(n, ember.tensor(values, dtype=ember.float64)).numpy()
    want = torch.polygamma(n, torch.tensor(values, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4)
