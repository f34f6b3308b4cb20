"""Stochastic weight averaging and exponential moving averages of a model's weights: the
averaging functions and the SWALR schedule.

NOTE [ swa_utils across the layers ]
AveragedModel (an nn.Module) and update_bn (which finds the batch norms) are built from nn, which
sits above optim; they are defined in ember/nn/_averaging.py, which adds them to this module's
namespace when ember.nn loads (importing ember loads it), so that
`torch.optim.swa_utils.AveragedModel` works without optim importing nn.
"""
import math

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn", "get_ema_avg_fn",
           "get_swa_avg_fn"]  # and AveragedModel, update_bn: NOTE [ swa_utils across the layers ]


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
