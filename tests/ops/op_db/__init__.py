"""The op table: one OpInfo per op (and variant), split by family, driving tests/ops/test_op_db.py.

An entry's `fn(m, *inputs)` is written once and runs on both frameworks (m is `ember` or `torch`),
which works because the APIs match.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class OpInfo:
    name: str
    fn: Callable                      # fn(m, *inputs) -> Tensor or tuple of Tensors
    shapes: list                      # samples: each a tuple of input shapes
    domain: tuple = (-2.0, 2.0)       # inputs drawn uniformly here (away from kinks if needed)
    ref: Optional[Callable] = None    # ref(*numpy_float64_inputs) -> array(s): forward oracle
    grad: bool = True                 # inputs require grad; gradcheck in float64
    gradgrad: bool = True             # gradgradcheck too
    grad_fn: Optional[str] = None     # expected grad_fn name of the (first) output
    dtypes: tuple = ("float32", "float64")
    input_dtypes: Optional[tuple] = None  # per-input dtype override, e.g. ("float", "int64")
    int_high: int = 3                 # integer inputs are drawn from [0, int_high)
    atol: float = 1e-5
    rtol: float = 1e-4
    grad_inputs: Optional[tuple] = None   # indices of inputs that require grad (default: floats)
    make_inputs: Optional[Callable] = None  # make_inputs(rng, dtype) -> list of numpy arrays
    kinks_ok: bool = False            # the op is only piecewise smooth; skip gradcheck
    torch_grad: bool = True           # False where torch's own backward raises (gradcheck only)
    extra: dict = field(default_factory=dict)
    # invalid calls that must raise torch's exception type: each a tuple of input shapes that fn
    # refuses (a shape mismatch, a dim out of range), or a callable err(m) making the bad call
    error_inputs: tuple = ()

    def inputs_np(self, sample_idx, dtype, seed=0):
        rng = np.random.default_rng(seed + 1000 * sample_idx)
        return self._arrays(rng, dtype, self.shapes[sample_idx])

    def error_np(self, error_idx, dtype=np.float64):
        """The arrays of a shape-tuple error input, drawn as the samples are."""
        return self._arrays(np.random.default_rng(error_idx), dtype, self.error_inputs[error_idx])

    def _arrays(self, rng, dtype, shapes):
        if self.make_inputs is not None:
            return self.make_inputs(rng, dtype, shapes)
        out = []
        for i, shape in enumerate(shapes):
            kind = self.input_dtypes[i] if self.input_dtypes else "float"
            if kind == "float":
                out.append(rng.uniform(*self.domain, size=shape).astype(dtype))
            elif kind == "bool":
                out.append(np.asarray(rng.random(shape) < 0.5))
            else:
                out.append(rng.integers(0, self.int_high, size=shape).astype(kind))
        return out


def all_ops():
    from . import families
    return families.collect()


def one_per_name():
    """The first OpInfo of each name (the dtype sweeps run one entry per op)."""
    seen, ops = set(), []
    for op in all_ops():
        if op.name not in seen:
            seen.add(op.name)
            ops.append(op)
    return ops
