"""Every built-in schedule's state dict keys (torch's `_get_lr_called_within_step` among them),
its learning rates, and torch's warning for get_lr() called from outside step(), against torch."""
import warnings

import pytest
import torch

import ember

SCHEDULES = [("StepLR", (2,)), ("LambdaLR", (lambda e: 0.5 ** e,)), ("CosineAnnealingLR", (5,)),
             ("OneCycleLR", (1.0, 10)), ("LinearLR", ()), ("ExponentialLR", (0.9,)),
             ("CosineAnnealingWarmRestarts", (3,)), ("PolynomialLR", ()), ("CyclicLR", (0.1, 1.0)),
             ("MultiStepLR", ([2],)), ("ConstantLR", ()), ("MultiplicativeLR", (lambda e: 0.9,))]


def _run(lib, name, args):
    opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1, momentum=0.9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = getattr(lib.optim.lr_scheduler, name)(opt, *args)
        for _ in range(3):
            opt.step()
            sched.step()
        in_steps = [str(w.message) for w in caught]
        del caught[:]
        sched.get_lr()
        outside = [str(w.message) for w in caught]
    return sorted(sched.state_dict()), sched.get_last_lr(), in_steps, outside


@pytest.mark.parametrize("name,args", SCHEDULES)
def test_state_dict_keys_rates_and_get_lr_warning_match_torch(name, args):
    keys, lrs, in_steps, outside = _run(ember, name, args)
    t_keys, t_lrs, t_in_steps, t_outside = _run(torch, name, args)
    assert keys == t_keys and "_get_lr_called_within_step" in keys
    assert lrs == pytest.approx(t_lrs)
    assert in_steps == t_in_steps == []
    assert outside == t_outside == ["To get the last learning rate computed by the scheduler, "
                                    "please use `get_last_lr()`."]
