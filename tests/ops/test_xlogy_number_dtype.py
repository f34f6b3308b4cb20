"""xlogy and xlog1py with a Python number beside a floating tensor: torch casts the number to
the tensor's dtype first (1e20 is inf in float16, 1e-50 is 0 in float32), in the forward and in
the gradient, silently."""
import numpy as np
import pytest
import torch

import ember

CASES = {
    "xlogy_half_big_other": lambda t, h: t.xlogy(h, 1e20),
    "xlogy_big_self": lambda t, h: t.xlogy(1e20, h),
    "xlog1py_half_big_other": lambda t, h: t.special.xlog1py(h, 1e20),
    "xlog1py_big_self": lambda t, h: t.special.xlog1py(1e20, h),
    "xlogy_float_tiny_other": lambda t, h: t.xlogy(h.float(), 1e-50),
    "xlogy_double_tiny_other": lambda t, h: t.xlogy(h.double(), 1e-50),
}


def _run(lib, case):
    h = lib.tensor([-0.12, 1.19, 0.0, 2.5], dtype=lib.float16, requires_grad=True)
    y = CASES[case](lib, h)
    y.backward(lib.ones_like(y))
    return y.detach().double().numpy(), h.grad.double().numpy()


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("case", sorted(CASES))
def test_number_cast_to_the_tensors_dtype_first(case):
    for got, want in zip(_run(ember, case), _run(torch, case)):
        np.testing.assert_allclose(got, want, rtol=2e-3, equal_nan=True)
