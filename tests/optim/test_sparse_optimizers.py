"""Optimizers on sparse gradients (nn.Embedding(sparse=True)), against torch: SGD, Adagrad and
SparseAdam update as torch's; the others, and clip_grad_norm_, raise torch's errors."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", message="Sparse invariant checks")


class _Net:
    """embedding (sparse) + linear + cross entropy, the same weights in ember and torch."""

    def __init__(self, lib, seed=0):
        rng = np.random.default_rng(seed)
        self.lib = lib
        self.emb = lib.nn.Embedding(20, 6, sparse=True)
        self.fc = lib.nn.Linear(6, 4)
        with lib.no_grad():
            for p in self.params():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))

    def params(self):
        return [self.emb.weight, self.fc.weight, self.fc.bias]

    def loss(self, idx, target):
        x = self.emb(self.lib.tensor(idx)).mean(1)
        return self.lib.nn.functional.cross_entropy(self.fc(x), self.lib.tensor(target))


def _train(make_optimizers, steps=5):
    """Run both nets; the embedding and the linear layer may have separate optimizers (SparseAdam
    takes only sparse gradients)."""
    rng = np.random.default_rng(1)
    nets = [_Net(ember), _Net(torch)]
    opts = [make_optimizers(lib, net) for lib, net in zip((ember, torch), nets)]
    for _ in range(steps):
        idx = rng.integers(0, 20, size=(8, 5))
        target = rng.integers(0, 4, size=8)
        for net, net_opts in zip(nets, opts):
            for o in net_opts:
                o.zero_grad()
            net.loss(idx, target).backward()
            for o in net_opts:
                o.step()
        for pe, pt in zip(nets[0].params(), nets[1].params()):
            np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)
    return nets, opts


@pytest.mark.parametrize("kwargs", [dict(lr=0.5), dict(lr=0.3, momentum=0.9),
                                    dict(lr=0.3, momentum=0.9, nesterov=True),
                                    dict(lr=0.3, momentum=0.5, dampening=0.3, maximize=True)])
def test_sgd_sparse_training(kwargs):
    nets, opts = _train(lambda lib, net: [lib.optim.SGD(net.params(), **kwargs)])
    if kwargs.get("momentum"):
        buf_e = opts[0][0].state[nets[0].emb.weight]["momentum_buffer"]
        buf_t = opts[1][0].state[nets[1].emb.weight]["momentum_buffer"]
        assert buf_e.is_sparse and buf_t.is_sparse and buf_e._nnz() == buf_t._nnz()


@pytest.mark.parametrize("kwargs", [dict(lr=0.3), dict(lr=0.3, lr_decay=0.1,
                                                       initial_accumulator_value=0.2),
                                    dict(lr=0.3, maximize=True)])
def test_adagrad_sparse_training(kwargs):
    _train(lambda lib, net: [lib.optim.Adagrad(net.params(), **kwargs)])


@pytest.mark.parametrize("kwargs", [dict(lr=0.05), dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6),
                                    dict(lr=0.05, maximize=True)])
def test_sparse_adam_training(kwargs):
    nets, opts = _train(lambda lib, net: [lib.optim.SparseAdam([net.emb.weight], **kwargs),
                                          lib.optim.Adam(list(net.fc.parameters()), lr=0.05)])
    se, st = opts[0][0].state[nets[0].emb.weight], opts[1][0].state[nets[1].emb.weight]
    assert se["step"] == st["step"] == 5 and type(se["step"]) is int
    np.testing.assert_allclose(se["exp_avg_sq"].numpy(), st["exp_avg_sq"].numpy(), rtol=1e-5,
                               atol=1e-7)


def test_sparse_adam_touches_only_rows_present():
    e = ember.nn.Embedding(10, 3, sparse=True)
    before = e.weight.detach().clone()
    opt = ember.optim.SparseAdam(e.parameters(), lr=0.1)
    e(ember.tensor([1, 4, 1])).sum().backward()
    opt.step()
    changed = (e.weight.detach() != before).any(1).numpy()
    assert changed.tolist() == [i in (1, 4) for i in range(10)]


def test_sparse_adam_checks():
    p = ember.zeros(2, requires_grad=True)
    for kwargs, message in [(dict(lr=0), "Invalid learning rate: 0"),
                            (dict(eps=0), "Invalid epsilon value: 0"),
                            (dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
                            (dict(betas=(0.9, -1)), "Invalid beta parameter at index 1: -1")]:
        with pytest.raises(ValueError, match=f"^{message}$"):
            ember.optim.SparseAdam([p], **kwargs)
    with pytest.raises(ValueError, match=r"^Complex params at indices \[\[0, 0\]\]: SparseAdam "
                                         "does not support complex parameters$"):
        ember.optim.SparseAdam([ember.zeros(2, dtype=ember.complex64, requires_grad=True)])
    p.grad = ember.ones(2)
    with pytest.raises(RuntimeError, match="^SparseAdam does not support dense gradients, "
                                           "please consider Adam instead$"):
        ember.optim.SparseAdam([p]).step()


def _embedding_with_sparse_grad():
    e = ember.nn.Embedding(5, 3, sparse=True)
    e(ember.tensor([1, 2, 1])).sum().backward()
    return e


@pytest.mark.parametrize("name,message", [
    ("Adam", "Adam does not support sparse gradients, please consider SparseAdam instead"),
    ("AdamW", "Adam does not support sparse gradients, please consider SparseAdam instead"),
    ("RMSprop", "RMSprop does not support sparse gradients"),
    ("Adadelta", "Adadelta does not support sparse gradients"),
    ("Adamax", "Adamax does not support sparse gradients"),
    ("NAdam", "NAdam does not support sparse gradients"),
    ("RAdam", "RAdam does not support sparse gradients"),
    ("ASGD", "ASGD does not support sparse gradients"),
    ("Rprop", "Rprop does not support sparse gradients"),
    ("Adafactor", "Adafactor does not support sparse gradients")])
def test_refusing_optimizers(name, message):
    e = _embedding_with_sparse_grad()
    with pytest.raises(RuntimeError, match=f"^{message}$"):
        getattr(ember.optim, name)(e.parameters()).step()


def test_weight_decay_refused():
    e = _embedding_with_sparse_grad()
    with pytest.raises(RuntimeError, match=r"^add\(sparse, dense\) is not supported. Use "
                                           r"add\(dense, sparse\) instead.$"):
        ember.optim.SGD(e.parameters(), lr=0.1, weight_decay=0.1).step()
    with pytest.raises(RuntimeError, match="^weight_decay option is not compatible with sparse "
                                           "gradients$"):
        ember.optim.Adagrad(e.parameters(), lr=0.1, weight_decay=0.1).step()


def test_clip_grad_norm_refuses_sparse():
    e = _embedding_with_sparse_grad()
    for foreach in (None, False, True):
        with pytest.raises(NotImplementedError, match="Could not run 'aten::linalg_vector_norm' "
                                                      "with arguments from the 'SparseCPU'"):
            ember.nn.utils.clip_grad_norm_(e.parameters(), 1.0, foreach=foreach)


def test_zero_grad_keeps_an_empty_sparse_grad():
    e = _embedding_with_sparse_grad()
    opt = ember.optim.SGD(e.parameters(), lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert e.weight.grad.is_sparse and e.weight.grad._nnz() == 0
    e(ember.tensor([3, 3])).sum().backward()
    assert e.weight.grad._nnz() == 2 and not e.weight.grad.is_coalesced()
