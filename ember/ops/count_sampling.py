"""Counts drawn per element: torch.poisson(rates) and torch.binomial(count, prob).

Draws come from NumPy's samplers on the host, from ember's generator (the one given, else the
device's default), so a seed repeats its numbers; they are not torch's numbers. As in torch, a
Poisson sample's gradient with respect to its rate is zero (PoissonBackward0), and a binomial
sample records a node that refuses to differentiate.
"""
import numpy as np

from .._backend import is_cpu_array, to_device, to_numpy
from .._dtype import type_name
from ._op import Op
from .shape import broadcast_tensors

__all__ = ["poisson", "binomial"]


def _on_device_of(sample, like):
    return sample if is_cpu_array(like) else to_device(sample, "cuda", like.device.id)


class Poisson(Op):
    def forward(ctx, rates, rng):
        lam = to_numpy(rates).astype(np.float64)
        if np.isnan(lam).any() or (lam < 0).any():
            raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
        return _on_device_of(rng.poisson(lam).astype(rates.dtype), rates)

    def backward(ctx, g):
        return g * 0.0  # a count does not move with its rate: torch's zero gradient


class Binomial(Op, grad_fn="NotImplemented"):
    def forward(ctx, count, prob, rng):
        c = to_numpy(count).astype(np.float64)
        p = np.clip(to_numpy(prob).astype(np.float64), 0.0, 1.0)
        trials = np.floor(np.maximum(c, 0.0)).astype(np.int64)
        # torch draws failures where prob > 1/2 and returns count minus them, so a fractional
        # count keeps its fraction there (and prob 1 gives the count itself)
        high = p > 0.5
        draw = rng.binomial(trials, np.where(high, 1.0 - p, p))
        draw = np.where(c <= 0, 0.0, np.where(high, c - draw, draw))
        return _on_device_of(draw.astype(count.dtype), count)

    def backward(ctx, g):
        raise RuntimeError("derivative for aten::binomial is not implemented")


def poisson(input, generator=None):
    """One Poisson(rate) count per element of input, in input's dtype."""
    from .._random import _rng
    if not input.is_floating_point():
        raise NotImplementedError(f'"poisson_cpu" not implemented for \'{type_name(input)}\'')
    return Poisson.apply(input, _rng(generator, input.device))


def binomial(count, prob, generator=None):
    """One Binomial(count, prob) draw per element of the broadcast count and prob."""
    from .._random import _rng
    if not count.is_floating_point():
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{type_name(count)}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {type_name(prob)} but expected {type_name(count)}")
    count, prob = broadcast_tensors(count, prob)
    return Binomial.apply(count, prob, _rng(generator, count.device))
