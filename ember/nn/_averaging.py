"""AveragedModel and update_bn of optim.swa_utils (NOTE [ swa_utils across the layers ] in
ember/optim/swa_utils.py): defined here, beside the Modules they need, and added to that module
when ember.nn loads."""
import itertools
from copy import deepcopy

from .. import _dtype
from .._creation import tensor
from ..autograd.grad_mode import no_grad
from ..optim import swa_utils
from ..optim.swa_utils import get_swa_avg_fn, get_swa_multi_avg_fn
from .modules.module import Module
from .modules.normalization import _BatchNorm

__all__ = ["AveragedModel", "update_bn"]


class AveragedModel(Module):
    """A copy of `model` whose parameters (and, with use_buffers, buffers) are the average of
    the models given to update_parameters: equal weights by default, or avg_fn (one tensor at a
    time, returning the new average) or multi_avg_fn (lists of tensors, in place)."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_dtype.long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def _averaged_tensors(self, model):
        if self.use_buffers:
            return (itertools.chain(self.module.parameters(), self.module.buffers()),
                    itertools.chain(model.parameters(), model.buffers()))
        return self.parameters(), model.parameters()

    def update_parameters(self, model):
        """Fold `model`'s current weights into the average (the first call copies them)."""
        with no_grad():
            ours, theirs = self._averaged_tensors(model)
            pairs = [(mine.detach(), other.detach().to(mine.device))
                     for mine, other in zip(ours, theirs)]
            first = int(self.n_averaged) == 0
            if first:
                for mine, other in pairs:
                    mine.copy_(other)
            elif self.avg_fn is not None:
                for mine, other in pairs:
                    mine.copy_(self.avg_fn(mine, other, self.n_averaged.to(mine.device)))
            else:
                self._average_groups(pairs)
            if not self.use_buffers:  # buffers (batch-norm statistics ...) follow the model
                for mine, other in zip(self.module.buffers(), model.buffers(), strict=True):
                    mine.detach().copy_(other.detach().to(mine.device))
            self.n_averaged += 1

    def _average_groups(self, pairs):
        """multi_avg_fn on the tensors of each device and dtype; without one, the equal-weight
        mean (in lists on CUDA, one tensor at a time elsewhere, as PyTorch does)."""
        groups = {}
        for mine, other in pairs:
            groups.setdefault((str(mine.device), mine.dtype), []).append((mine, other))
        for members in groups.values():
            mine_list = [m for m, _ in members]
            other_list = [o for _, o in members]
            device = mine_list[0].device
            count = self.n_averaged.to(device)
            if self.multi_avg_fn is not None:
                self.multi_avg_fn(mine_list, other_list, count)
            elif device.type == "cuda":
                get_swa_multi_avg_fn()(mine_list, other_list, count)
            else:
                mean = get_swa_avg_fn()
                for mine, other in members:
                    mine.copy_(mean(mine, other, count))


def update_bn(loader, model, device=None):
    """Recompute the running statistics of model's batch norms by one pass over loader (a
    cumulative average over its batches); the first element of list or tuple batches is the
    input."""
    momenta = {module: module.momentum for module in model.modules()
               if isinstance(module, _BatchNorm)}
    if not momenta:
        return
    for module in momenta:
        module.reset_running_stats()
        module.momentum = None
    was_training = model.training
    model.train()
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


AveragedModel.__module__ = update_bn.__module__ = swa_utils.__name__
swa_utils.AveragedModel, swa_utils.update_bn = AveragedModel, update_bn
swa_utils.__all__ += __all__
