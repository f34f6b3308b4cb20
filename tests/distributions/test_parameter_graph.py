"""What a distribution hands a user, checked against torch: moments and matrices in the autograd
graph (the parameter itself, or a result with torch's grad_fn) and sample_n's deprecation warning."""
import pytest

import ember


def _grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def test_normal_mean_is_its_loc_and_stddev_is_its_scale(torch):
    for m in (ember, torch):
        loc = m.tensor([0.3, -0.2], requires_grad=True)
        scale = m.tensor([0.1, -0.5], requires_grad=True).exp()
        d = m.distributions.Normal(loc, scale)
        assert d.mean is loc and d.stddev is scale
        assert _grad_fn_name(d.stddev) == "ExpBackward0"


def test_multivariate_normal_precision_matrix_comes_from_the_factor(torch):
    out = []
    for m in (ember, torch):
        tril = m.tensor([[1.0, 0.0], [0.4, 0.8]], requires_grad=True)
        d = m.distributions.MultivariateNormal(m.zeros(2), scale_tril=tril)
        p = d.precision_matrix
        assert _grad_fn_name(p) == "ExpandBackward0"
        assert type(p.grad_fn.next_functions[0][0]).__name__ == "CholeskyInverseBackward0"
        p.sum().backward()
        out.append((p.tolist(), tril.grad.tolist()))
    (pe, ge), (pt, gt) = out
    for a, b in ((pe, pt), (ge, gt)):
        assert all(abs(x - y) < 1e-5 for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def test_sample_n_warns_as_torch_does(torch):
    seen = []
    for m in (ember, torch):
        d = m.distributions.Normal(m.zeros(2), m.ones(2))
        with pytest.warns(FutureWarning) as record:
            assert tuple(d.sample_n(3).shape) == (3, 2)
        seen.append((str(record[0].message), record[0].filename))
    assert seen[0] == seen[1] and seen[0][1] == __file__
