"""MultiplicativeLR, ConstantLR, PolynomialLR, ChainedScheduler, CosineAnnealingWarmRestarts and
CyclicLR: lr (and momentum) sequences, closed forms, state dicts and errors against torch."""
import warnings

import pytest

import ember
from tests.optim.test_lr_scheduler import lr_history, make_optimizer


class Halving:
    """A callable object: its __dict__ goes into the state dict (a plain function's does not)."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor if epoch % 3 == 0 else 1.0


def assert_history_close(got, expected):
    assert len(got) == len(expected)
    for (g_values, g_last), (e_values, e_last) in zip(got, expected):
        for g, e in zip(g_values + g_last, e_values + e_last):
            assert g == pytest.approx(e, rel=1e-12, abs=1e-300)


def sched(lib):
    return lib.optim.lr_scheduler


SCHEDULES = {
    "MultiplicativeLR": lambda lib, o: sched(lib).MultiplicativeLR(
        o, [lambda e: 0.9, lambda e: 1 / (e + 1)]),
    "ConstantLR": lambda lib, o: sched(lib).ConstantLR(o, factor=0.25, total_iters=4),
    "ConstantLR-default": lambda lib, o: sched(lib).ConstantLR(o),
    "PolynomialLR": lambda lib, o: sched(lib).PolynomialLR(o, total_iters=8, power=2.0),
    "PolynomialLR-default": lambda lib, o: sched(lib).PolynomialLR(o),
    "ChainedScheduler": lambda lib, o: sched(lib).ChainedScheduler(
        [sched(lib).ConstantLR(o, factor=0.1, total_iters=2), sched(lib).ExponentialLR(o, 0.9)]),
    "ChainedScheduler-optimizer": lambda lib, o: sched(lib).ChainedScheduler(
        [sched(lib).PolynomialLR(o, 6), sched(lib).StepLR(o, 2, 0.5)], optimizer=o),
    "CosineAnnealingWarmRestarts": lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(
        o, T_0=3, eta_min=0.01),
    "CosineAnnealingWarmRestarts-mult": lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(
        o, T_0=2, T_mult=2),
    "CyclicLR": lambda lib, o: sched(lib).CyclicLR(o, 0.01, [0.1, 0.3], step_size_up=3),
    "CyclicLR-triangular2": lambda lib, o: sched(lib).CyclicLR(
        o, [0.01, 0.02], 0.2, step_size_up=2, step_size_down=3, mode="triangular2"),
    "CyclicLR-exp_range": lambda lib, o: sched(lib).CyclicLR(
        o, 0.01, 0.2, step_size_up=2, mode="exp_range", gamma=0.9, base_momentum=0.7,
        max_momentum=[0.95, 0.85]),
    "CyclicLR-scale_fn": lambda lib, o: sched(lib).CyclicLR(
        o, 0.01, 0.2, step_size_up=2, scale_fn=lambda x: 0.8 ** x, scale_mode="iterations"),
    "CyclicLR-no-momentum": lambda lib, o: sched(lib).CyclicLR(
        o, 0.01, 0.2, step_size_up=2, cycle_momentum=False),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_matches_torch(torch, name):
    assert_history_close(lr_history(ember, SCHEDULES[name], epochs=20),
                         lr_history(torch, SCHEDULES[name], epochs=20))


@pytest.mark.parametrize("optimizer,key", [("SGD", "momentum"), ("Adam", "betas")])
@pytest.mark.parametrize("name", ["CyclicLR", "CyclicLR-exp_range", "CyclicLR-scale_fn"])
def test_cyclic_lr_cycles_momentum_or_beta1_as_torch(torch, optimizer, key, name):
    assert_history_close(lr_history(ember, SCHEDULES[name], optimizer=optimizer, key=key),
                         lr_history(torch, SCHEDULES[name], optimizer=optimizer, key=key))


def test_cyclic_lr_needs_a_momentum_to_cycle(torch):
    for lib in (torch, ember):
        opt = lib.optim.Adagrad([lib.nn.Parameter(lib.ones(1))])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)
        lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


@pytest.mark.parametrize("name", ["ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts",
                                  "CosineAnnealingWarmRestarts-mult"])
def test_step_with_an_epoch_uses_the_closed_form_as_torch(torch, name):
    epochs = [3, 1, 7, 0, 12, 5.5, 2] if "Warm" in name else [3, 1, 7, 0, 12, 2]
    histories = []
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        s = SCHEDULES[name](lib, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for epoch in epochs:
                s.step(epoch)
                histories.append(([s.last_epoch], s.get_last_lr()))
    half = len(histories) // 2
    assert_history_close(histories[half:], histories[:half])


def state_without_callables(state):
    return {k: v for k, v in state.items() if k not in ("_scale_fn_ref", "_schedulers")}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_round_trip_matches_torch(torch, name):
    """Keys and values of the state dict are torch's; a scheduler loaded from it goes on alike."""
    states, resumed_lrs = [], []
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        s = SCHEDULES[name](lib, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(5):
                opt.step()
                s.step()
            state = s.state_dict()
            states.append(dict(state))  # torch's CyclicLR.load_state_dict pops a key of it
            other_opt = make_optimizer(lib)
            other_opt.load_state_dict(opt.state_dict())
            other = SCHEDULES[name](lib, other_opt)
            other.load_state_dict(state)
            lrs = []
            for _ in range(5):
                other_opt.step()
                other.step()
                lrs.append(([], other.get_last_lr()))
        resumed_lrs.append(lrs)
    t_state, e_state = states
    assert sorted(e_state) == sorted(t_state)
    t_plain, e_plain = state_without_callables(t_state), state_without_callables(e_state)
    for key in t_plain:
        if key not in ("lr_lambdas", "_scale_fn_custom"):
            assert e_plain[key] == pytest.approx(t_plain[key]), key
    assert_history_close(resumed_lrs[1], resumed_lrs[0])


@pytest.mark.parametrize("name", ["MultiplicativeLR", "CyclicLR"])
def test_callable_objects_save_their_dict(torch, name):
    for lib in (torch, ember):
        fn = Halving()
        opt = make_optimizer(lib)
        if name == "MultiplicativeLR":
            s = lib.optim.lr_scheduler.MultiplicativeLR(opt, fn)
            saved = s.state_dict()["lr_lambdas"]
            assert saved == [{"factor": 0.5}, {"factor": 0.5}]
        else:
            s = lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, scale_fn=fn)
            saved = s.state_dict()["_scale_fn_custom"]
            assert saved == {"factor": 0.5}
        fn.factor = 0.1
        s.load_state_dict(s.state_dict() | {"lr_lambdas": [{"factor": 0.7}] * 2,
                                            "_scale_fn_custom": {"factor": 0.7}})
        assert fn.factor == 0.7


def test_errors_match_torch(torch):
    def both(call):
        with pytest.raises(Exception) as expected:
            call(torch)
        with pytest.raises(type(expected.value)) as got:
            call(ember)
        assert str(got.value) == str(expected.value)

    for build in (
            lambda lib, o: sched(lib).MultiplicativeLR(o, [lambda e: 1.0]),
            lambda lib, o: sched(lib).MultiplicativeLR(o, 0.5),
            lambda lib, o: sched(lib).ConstantLR(o, factor=1.5),
            lambda lib, o: sched(lib).ConstantLR(o, factor=-0.1),
            lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(o, T_0=0),
            lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(o, T_0=2.0),
            lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
            lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
            lambda lib, o: sched(lib).CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
            lambda lib, o: sched(lib).CyclicLR(o, 0.01, 0.1, mode="square"),
            lambda lib, o: sched(lib).CyclicLR(o, [0.01], 0.1),
            lambda lib, o: sched(lib).CyclicLR(object(), 0.01, 0.1),
            lambda lib, o: sched(lib).ChainedScheduler([]),
            lambda lib, o: sched(lib).ChainedScheduler([object()]),
            lambda lib, o: sched(lib).ChainedScheduler(
                [sched(lib).ReduceLROnPlateau(o)]),
            lambda lib, o: sched(lib).ChainedScheduler(
                [sched(lib).StepLR(o, 2), sched(lib).StepLR(make_optimizer(lib, "Adam"), 2)])):
        both(lambda lib: build(lib, make_optimizer(lib)))
