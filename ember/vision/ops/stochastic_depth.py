"""Stochastic depth (Huang et al., 2016): residual branches dropped at random in training."""
from ... import empty, nn

__all__ = ["StochasticDepth", "stochastic_depth"]


def stochastic_depth(input, p, mode, training=True):
    """input (Tensor[N, ...]) zeroed with probability p, as a whole (mode "batch") or per row
    of the batch (mode "row"), and the survivors scaled by 1 / (1 - p)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival = 1.0 - p
    shape = [1] * input.ndim
    if mode == "row":
        shape[0] = input.shape[0]
    keep = empty(shape, dtype=input.dtype, device=input.device).bernoulli_(survival)
    if survival > 0.0:
        keep.div_(survival)
    return input * keep


class StochasticDepth(nn.Module):
    """See stochastic_depth."""

    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"
