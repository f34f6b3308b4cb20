"""L-BFGS keeps its curvature scalars as torch does: 0-d tensors of the parameters' dtype in its
state (ro, H_diag, al, t), computed in that dtype, so that its state matches torch's and a
resumed run takes the same steps."""
import numpy as np
import pytest
import torch

import ember


def _run(lib, steps, line_search_fn):
    x = lib.tensor(np.linspace(-1.0, 1.0, 8, dtype=np.float32))
    w = lib.nn.Parameter(lib.tensor([0.5, -0.3], dtype=lib.float32))
    opt = lib.optim.LBFGS([w], lr=0.5, max_iter=4, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = ((w[0] * x + w[1] * x * x - x.sin()) ** 2).mean()
        loss.backward()
        return loss
    for _ in range(steps):
        opt.step(closure)
    return w, opt.state[w]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_state_scalars_are_0d_tensors_as_torchs(line_search_fn):
    w, state = _run(ember, 3, line_search_fn)
    tw, tstate = _run(torch, 3, line_search_fn)
    for key in ("H_diag", "ro", "al", "t"):
        got, want = state[key], tstate[key]
        if isinstance(want, list):
            assert [type(v).__name__ for v in got] == [type(v).__name__ for v in want]
            got, want = [v for v in got if v is not None], [v for v in want if v is not None]
            assert all(v.dtype == ember.float32 and v.dim() == 0 for v in got)
        else:
            assert type(got).__name__ == type(want).__name__
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-4, atol=1e-6)
