"""Stochastic weight averaging and exponential moving averages of a model's weights
(AveragedModel with its averaging functions), update_bn and the SWALR schedule."""
import itertools
import math
from copy import deepcopy

from .. import _dtype
from .._creation import tensor
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """In place on lists of averaged tensors: ema <- decay * ema + (1 - decay) * current."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            floating = ema_param_list[0].is_floating_point() or ema_param_list[0].is_complex()
            for ema, current in zip(ema_param_list, current_param_list):
                if floating:
                    ema.lerp_(current, 1 - decay)
                else:  # integer buffers: computed in floating point, truncated back
                    ema.copy_(ema * decay + current * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """In place on lists of averaged tensors: the running mean over num_averaged + 1 models."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            first = averaged_param_list[0]
            if not (first.is_floating_point() or first.is_complex()):
                if isinstance(num_averaged, Tensor):  # PyTorch's addcdiv_ refuses integers
                    raise RuntimeError(_INTEGER_ADDCDIV)
                for averaged, current in zip(averaged_param_list, current_param_list):
                    averaged.add_(current - averaged, alpha=1.0 / (num_averaged + 1))
                return
            weight = float(1 / (num_averaged + 1))  # float32-rounded when a tensor, as in torch
            for averaged, current in zip(averaged_param_list, current_param_list):
                averaged.lerp_(current, weight)
    return swa_update


_INTEGER_ADDCDIV = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
    "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes.")


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one tensor, returned: decay * ema + (1 - decay) * x."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """The running mean of one tensor over num_averaged + 1 models, returned."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


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


class SWALR(LRScheduler):
    """Anneal each group's lr to its swa_lr over anneal_epochs epochs (cosine or linear), then
    hold it there."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        for group, value in zip(optimizer.param_groups,
                                _format_param("swa_lr", optimizer, swa_lr)):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else \
            self._linear_anneal

    def _fraction(self, step):
        """How far into the annealing `step` is, in [0, 1]."""
        return min(1, max(0, step / max(1, self.anneal_epochs)))

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # The lr the schedule started from is recovered from the current one and the previous
        # step's mixing weight, so that changes made to group["lr"] meanwhile are honoured.
        before = self.anneal_func(self._fraction(step - 1))
        now = self.anneal_func(self._fraction(step))
        lrs = []
        for group in self.optimizer.param_groups:
            swa_lr = group["swa_lr"]
            start = swa_lr if before == 1 else (group["lr"] - before * swa_lr) / (1 - before)
            lrs.append(swa_lr * now + start * (1 - now))
        return lrs

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
