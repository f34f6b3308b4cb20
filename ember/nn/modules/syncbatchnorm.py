"""SyncBatchNorm: batch normalisation whose training statistics are those of the whole batch
across the processes of a group (each process holding its part), and convert_sync_batchnorm.

Forward all-reduces, per channel, the element count, sum and sum of squares (in float64); backward
all-reduces the sums of the gradient and of the gradient times the centred input, so every
process's input gradient is its part of the full batch's. The weight and bias gradients stay
local, as torch's: DistributedDataParallel averages them.
"""
import numpy as np

from ..._backend import xp_of
from ..._tensor import _make
from ...autograd.function import Function
from .. import functional as F
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _all_reduce_sum(values, group):
    """SUM over the group of a float64 host vector (a copy of `values`)."""
    from ... import distributed as dist
    t = _make(np.ascontiguousarray(values, np.float64))
    dist.all_reduce(t, group=group)
    return t._data


class _SyncBatchNormFunction(Function, grad_fn="SyncBatchNormBackward"):
    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, eps, momentum, group):
        x = input._data
        xp = xp_of(x)
        axes = (0,) + tuple(range(2, x.ndim))
        c = x.shape[1]
        local = np.empty(2 * c + 1)
        local[0] = x.size // c
        local[1:c + 1] = _host(xp.sum(x, axis=axes, dtype=np.float64))
        local[c + 1:] = _host(xp.sum(xp.square(x.astype(np.float64)), axis=axes))
        total = _all_reduce_sum(local, group)
        count = total[0]
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {list(input.shape)}")
        mean = total[1:c + 1] / count
        var = np.maximum(total[c + 1:] / count - mean * mean, 0.0)
        invstd = 1.0 / np.sqrt(var + eps)
        if running_mean is not None:
            rm, rv = running_mean._data, running_var._data
            rm *= 1.0 - momentum
            rm += xp.asarray((momentum * mean).astype(rm.dtype))
            rv *= 1.0 - momentum
            rv += xp.asarray((momentum * var * count / (count - 1)).astype(rv.dtype))
        shape = (1, c) + (1,) * (x.ndim - 2)
        mean_b = xp.asarray(mean.astype(x.dtype)).reshape(shape)
        invstd_b = xp.asarray(invstd.astype(x.dtype)).reshape(shape)
        y = (x - mean_b) * invstd_b
        if weight is not None:
            y = y * weight._data.reshape(shape)
        if bias is not None:
            y = y + bias._data.reshape(shape)
        ctx.save_for_backward(input, weight)
        ctx.stats = (mean_b, invstd_b, count, group)
        return _make(y)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        mean, invstd, count, group = ctx.stats
        x, dy = input._data, grad_output._data
        xp = xp_of(x)
        axes = (0,) + tuple(range(2, x.ndim))
        c = x.shape[1]
        xmu = x - mean
        sum_dy = xp.sum(dy, axis=axes, dtype=np.float64)
        sum_dy_xmu = xp.sum(dy * xmu, axis=axes, dtype=np.float64)
        total = _all_reduce_sum(np.concatenate([_host(sum_dy), _host(sum_dy_xmu)]), group)
        shape = mean.shape
        mean_dy = xp.asarray((total[:c] / count).astype(x.dtype)).reshape(shape)
        mean_dy_xmu = xp.asarray((total[c:] / count).astype(x.dtype)).reshape(shape)
        scale = invstd if weight is None else invstd * weight._data.reshape(shape)
        dx = (dy - mean_dy - xmu * invstd * invstd * mean_dy_xmu) * scale
        flat_invstd = invstd.reshape(-1)
        grad_weight = grad_bias = None
        if weight is not None and ctx.needs_input_grad[1]:
            grad_weight = _make((sum_dy_xmu * flat_invstd).astype(weight._data.dtype))
        if ctx.needs_input_grad[2]:
            grad_bias = _make(sum_dy.astype(x.dtype))
        return _make(dx), grad_weight, grad_bias, None, None, None, None, None


def _host(a):
    return a if isinstance(a, np.ndarray) else a.get()


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, ...) inputs with the statistics of the whole batch across the
    process group in training (plain batch_norm when there is one process or none)."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input):
        from ... import distributed as dist
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        running = not self.training or self.track_running_stats
        rm = self.running_mean if running else None
        rv = self.running_var if running else None
        sync = (batch_stats and self.training and dist.is_initialized()
                and dist.get_world_size(self.process_group) > 1)
        if not sync:
            return F.batch_norm(input, rm, rv, self.weight, self.bias, batch_stats, factor,
                                self.eps)
        group = dist.process_group.resolve(self.process_group)
        return _SyncBatchNormFunction.apply(input, self.weight, self.bias, rm, rv, self.eps,
                                            factor, group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm*D inside replaced by a SyncBatchNorm that shares its
        parameters and running statistics."""
        converted = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            if module.affine:
                converted.weight = module.weight
                converted.bias = module.bias
            converted.running_mean = module.running_mean
            converted.running_var = module.running_var
            converted.num_batches_tracked = module.num_batches_tracked
            converted.training = module.training
        for name, child in module.named_children():
            converted.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return converted
