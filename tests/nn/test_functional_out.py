"""F.normalize(out=...) writes its result into out, as torch's does (it was ignored)."""
import numpy as np
import pytest

import ember


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_normalize_writes_into_out(torch):
    data = np.array([[3.0, 4.0], [1.0, 0.0]], np.float32)
    results = []
    for lib in (ember, torch):
        out = lib.empty(2, 2, dtype=lib.float64)
        r = lib.nn.functional.normalize(lib.tensor(data), out=out)
        assert r is out and out.dtype == lib.float64
        results.append(out.numpy())
    np.testing.assert_allclose(results[0], results[1])


def test_normalize_out_refuses_inputs_requiring_grad(torch):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic "
                                               "differentiation"):
            lib.nn.functional.normalize(lib.ones(2, 2, requires_grad=True), out=lib.empty(2, 2))
