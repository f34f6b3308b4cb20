"""OpInfo entries for ember/ops/ctc.py. The NumPy reference enumerates every frame-level path
(C ** T of them, for small T), collapses it (repeats merged, blanks dropped) and sums the
probabilities of the paths that give the target: independent of the alpha-beta recursion."""
import itertools

import numpy as np

from . import OpInfo

TARGETS = [[1, 2], [2, 2], [1, 0]]   # padded; sample 2 has one label
INPUT_LENGTHS = [4, 4, 3]
TARGET_LENGTHS = [2, 2, 1]


def _collapse(path, blank):
    out = []
    prev = None
    for s in path:
        if s != prev and s != blank:
            out.append(s)
        prev = s
    return out


def _nll(logits, targets, input_lengths, target_lengths, blank=0, zero_infinity=False):
    """Per-sample -log p(target) of logits (T, N, C) under softmax, by path enumeration."""
    e = np.exp(logits - logits.max(2, keepdims=True))
    probs = e / e.sum(2, keepdims=True)
    c = logits.shape[2]
    out = []
    for n, (t_len, s_len) in enumerate(zip(input_lengths, target_lengths)):
        want = list(targets[n][:s_len])
        total = sum(np.prod([probs[t, n, s] for t, s in enumerate(path)])
                    for path in itertools.product(range(c), repeat=t_len)
                    if _collapse(path, blank) == want)
        out.append(0.0 if total == 0 and zero_infinity else -np.log(total))
    return np.array(out)


def _ref(reduction, blank=0, zero_infinity=False, targets=TARGETS, lengths=TARGET_LENGTHS,
         input_lengths=INPUT_LENGTHS):
    def ref(x):
        loss = _nll(x, targets, input_lengths, lengths, blank, zero_infinity)
        if reduction == "mean":
            return np.mean(loss / np.maximum(lengths, 1))
        return loss.sum() if reduction == "sum" else loss
    return ref


def _ctc(reduction, **kw):
    def fn(m, x):
        return m.nn.functional.ctc_loss(x.log_softmax(2), m.tensor(TARGETS), INPUT_LENGTHS,
                                        TARGET_LENGTHS, reduction=reduction, **kw)
    return fn


def _errors():
    def call(m, **kw):
        args = dict(log_probs=m.zeros(4, 2, 3), targets=m.tensor([[1, 2], [2, 2]]),
                    input_lengths=[4, 4], target_lengths=[2, 2])
        args.update(kw)
        return lambda: m.nn.functional.ctc_loss(**args)
    return (lambda m: call(m, input_lengths=[5, 4])(),
            lambda m: call(m, target_lengths=[3, 2])(),
            lambda m: call(m, input_lengths=[4, 4, 4])(),
            lambda m: call(m, target_lengths=[2])(),
            lambda m: call(m, blank=3)(),
            lambda m: call(m, input_lengths=[4, -1])(),
            lambda m: call(m, targets=m.tensor([1, 2, 2]))(),
            lambda m: call(m, reduction="average")())


OPS = [
    OpInfo(f"ctc_loss_{r}", _ctc(r), [((4, 3, 3),)], ref=_ref(r), gradgrad=False,
           grad_fn={"none": "CtcLossBackward0", "mean": "MeanBackward0",
                    "sum": "SumBackward0"}[r], error_inputs=_errors() if r == "mean" else ())
    for r in ("none", "mean", "sum")
] + [
    OpInfo("ctc_loss_blank_last_concatenated", lambda m, x: m.ctc_loss(
               x.log_softmax(2), m.tensor([0, 1, 1, 1, 0]), m.tensor([4, 4, 3]),
               m.tensor([2, 2, 1]), 2, 0), [((4, 3, 3),)], gradgrad=False,
           ref=_ref("none", blank=2, targets=[[0, 1], [1, 1], [0]]),
           grad_fn="CtcLossBackward0"),
    OpInfo("ctc_loss_zero_infinity", lambda m, x: m.nn.functional.ctc_loss(
               x.log_softmax(2), m.tensor([[1, 1], [2, 1]]), [2, 4], [2, 2], reduction="none",
               zero_infinity=True), [((4, 2, 3),)], gradgrad=False,
           ref=_ref("none", zero_infinity=True, targets=[[1, 1], [2, 1]], lengths=[2, 2],
                    input_lengths=[2, 4]),
           grad_fn="WhereBackward0"),
    OpInfo("ctc_loss_unbatched", lambda m, x: m.nn.functional.ctc_loss(
               x[:, 0].log_softmax(1), m.tensor([2, 1]), [4], [2], reduction="none"),
           [((4, 1, 3),)], gradgrad=False,
           ref=lambda x: _nll(x, [[2, 1]], [4], [2])[0], grad_fn="SqueezeBackward1"),
]
