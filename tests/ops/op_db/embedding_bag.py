"""OpInfo entries for ember/ops/embedding_bag.py: a NumPy loop over the bags as reference; the
indices and offsets are fixed, the weight (and per_sample_weights) vary."""
import numpy as np

from . import OpInfo

INDICES = [1, 2, 4, 5, 4, 3, 2, 6]
OFFSETS = [0, 3, 3, 5]  # bag 1 empty


def _bags(offsets, n, include_last=False):
    ends = offsets[1:] if include_last else offsets[1:] + [n]
    return list(zip(offsets[:len(ends)], ends))


def _ref(mode, offsets=OFFSETS, padding_idx=None, include_last=False):
    def ref(w, psw=None):
        out = []
        for start, end in _bags(offsets, len(INDICES), include_last):
            rows = [w[INDICES[k]] * (1.0 if psw is None else psw[k])
                    for k in range(start, end) if INDICES[k] != padding_idx]
            if not rows:
                out.append(np.zeros(w.shape[1]))
            else:
                out.append({"sum": np.sum, "mean": np.mean, "max": np.max}[mode](rows, axis=0))
        return np.array(out)
    return ref


def _bag(mode, offsets=OFFSETS, **kw):
    def fn(m, w, *psw):
        return m.nn.functional.embedding_bag(m.tensor(INDICES), w, m.tensor(offsets), mode=mode,
                                             per_sample_weights=psw[0] if psw else None, **kw)
    return fn


def _errors():
    def bag(m, **kw):
        args = dict(input=m.tensor(INDICES), weight=m.ones(7, 2), offsets=m.tensor(OFFSETS))
        args.update(kw)
        return m.nn.functional.embedding_bag(**args)
    return (lambda m: bag(m, offsets=None),
            lambda m: bag(m, input=m.tensor([INDICES])),
            lambda m: bag(m, offsets=m.tensor([1, 3])),
            lambda m: bag(m, offsets=m.tensor([0, 9])),
            lambda m: bag(m, mode="median"),
            lambda m: bag(m, per_sample_weights=m.ones(8)),
            lambda m: bag(m, mode="sum", per_sample_weights=m.ones(7)),
            lambda m: bag(m, input=m.tensor(INDICES) + 3),
            lambda m: bag(m, input=m.tensor(INDICES).float()),
            lambda m: bag(m, padding_idx=7),
            lambda m: bag(m, mode="max", scale_grad_by_freq=True))


OPS = [
    OpInfo(f"embedding_bag_{mode}", _bag(mode), [((7, 3),)], ref=_ref(mode),
           grad_fn="EmbeddingBagBackward0", error_inputs=_errors() if mode == "mean" else ())
    for mode in ("sum", "mean", "max")
] + [
    OpInfo(f"embedding_bag_{mode}_padding", _bag(mode, padding_idx=4), [((7, 3),)],
           ref=_ref(mode, padding_idx=4), grad_fn="EmbeddingBagBackward0")
    for mode in ("sum", "mean", "max")
] + [
    OpInfo("embedding_bag_per_sample_weights", _bag("sum"), [((7, 3), (8,))], ref=_ref("sum"),
           grad_fn="EmbeddingBagBackward0"),
    OpInfo("embedding_bag_include_last_offset", _bag("mean", [0, 2, 5, 8],
                                                     include_last_offset=True),
           [((7, 3),)], ref=_ref("mean", [0, 2, 5, 8], include_last=True),
           grad_fn="EmbeddingBagBackward0"),
    OpInfo("embedding_bag_2d_input", lambda m, w: m.nn.functional.embedding_bag(
               m.tensor(INDICES).reshape(2, 4), w, mode="max"), [((7, 3),)],
           ref=lambda w: np.stack([w[INDICES[:4]].max(0), w[INDICES[4:]].max(0)]),
           grad_fn="EmbeddingBagBackward0"),
]
