"""nn.AdaptiveLogSoftmaxWithLoss against torch: parameter names, repr, the (output, loss) named
tuple and its gradients, log_prob, predict, unbatched input, errors."""
import numpy as np
import pytest

import ember

from ._helpers import assert_close, copy_weights, raises_like

RNG = np.random.default_rng(13)
X = RNG.standard_normal((7, 8))
TARGET = np.array([0, 4, 9, 2, 7, 5, 3])


def _pair(torch, **kw):
    t = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], **kw).double()
    e = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], **kw).double()
    copy_weights(t, e)
    return t, e


@pytest.mark.parametrize("kw", [{}, dict(div_value=2.0, head_bias=True)])
def test_forward_backward_match_torch(torch, kw):
    t, e = _pair(torch, **kw)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert (e.shortlist_size, e.n_clusters, e.head_size, e.cutoffs) == \
        (t.shortlist_size, t.n_clusters, t.head_size, t.cutoffs)
    tx, ex = torch.tensor(X, requires_grad=True), ember.tensor(X, requires_grad=True)
    t_out, e_out = t(tx, torch.tensor(TARGET)), e(ex, ember.tensor(TARGET))
    assert type(e_out).__name__ == "_ASMoutput" and e_out._fields == ("output", "loss")
    assert_close(e_out.output, t_out.output, rtol=1e-12, atol=1e-12)
    assert_close(e_out.loss, t_out.loss, rtol=1e-12, atol=1e-12)
    t_out.loss.backward()
    e_out.loss.backward()
    assert_close(ex.grad, tx.grad, rtol=1e-10, atol=1e-12)
    for (name, tp), ep in zip(t.named_parameters(), e.parameters()):
        assert_close(ep.grad, tp.grad, rtol=1e-10, atol=1e-12, msg=name)


def test_log_prob_predict_and_unbatched(torch):
    t, e = _pair(torch)
    lp = e.log_prob(ember.tensor(X))
    assert_close(lp, t.log_prob(torch.tensor(X)), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.exp(lp.detach().numpy()).sum(1), 1.0)
    np.testing.assert_array_equal(e.predict(ember.tensor(X)).numpy(),
                                  t.predict(torch.tensor(X)).numpy())
    t_one, e_one = t(torch.tensor(X[1]), torch.tensor(4)), e(ember.tensor(X[1]), ember.tensor(4))
    assert e_one.output.shape == ()
    assert_close(e_one.output, t_one.output, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("bad", [
    lambda lib, m: m(lib.ones(3, 8, dtype=lib.float64), lib.tensor([0, 1, 10])),
    lambda lib, m: m(lib.ones(3, 8, dtype=lib.float64), lib.tensor([0, 1])),
    lambda lib, m: m(lib.ones(3, 8, dtype=lib.float64), lib.tensor([[0, 1, 2]])),
    lambda lib, m: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3]),
    lambda lib, m: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda lib, m: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
])
def test_errors_match_torch(torch, bad):
    t, e = _pair(torch)
    raises_like(lambda: bad(torch, t), lambda: bad(ember, e))
