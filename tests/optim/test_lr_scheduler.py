"""Learning-rate schedulers: the lr sequences of torch, state dicts and warnings."""
import warnings

import pytest

import ember
import ember.nn  # noqa: F401  (lib.nn below)
import ember.optim as optim
from ember.optim import lr_scheduler


def make_optimizer(lib, name="SGD", groups=2):
    params = [lib.nn.Parameter(lib.ones(1)) for _ in range(groups)]
    spec = [{"params": [params[0]]}] + [{"params": [p], "lr": 0.5} for p in params[1:]]
    return getattr(lib.optim, name)(spec, lr=0.1, momentum=0.9) if name == "SGD" else \
        getattr(lib.optim, name)(spec, lr=0.1)


def lr_history(lib, build, epochs=12, metrics=None, optimizer="SGD", key="lr"):
    opt = make_optimizer(lib, optimizer)
    sched = build(lib, opt)
    history = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(epochs):
            opt.step()
            if metrics is None:
                sched.step()
            else:
                sched.step(metrics[epoch])
            history.append(([g[key] for g in opt.param_groups], list(sched.get_last_lr())))
    return history


def lam(epoch):
    return 0.9 ** epoch


SCHEDULES = {
    "StepLR": lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5, 9], 0.3),
    "ExponentialLR": lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
    "CosineAnnealingLR": lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, 4, 0.01),
    "LambdaLR": lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lam, lambda e: 1 / (e + 1)]),
    "LinearLR": lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, 0.25, 0.9, total_iters=5),
    "OneCycleLR": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, [1.0, 2.0],
                                                                   total_steps=12),
    "OneCycleLR-3": lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o, 1.0, epochs=3, steps_per_epoch=4, three_phase=True, anneal_strategy="linear"),
    "SequentialLR": lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.LinearLR(o, 0.1, total_iters=3),
            lib.optim.lr_scheduler.ExponentialLR(o, 0.7),
            lib.optim.lr_scheduler.StepLR(o, 2)], milestones=[3, 7]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence_matches_torch(torch, name):
    expected = lr_history(torch, SCHEDULES[name])
    got = lr_history(ember, SCHEDULES[name])
    for (g_lrs, g_last), (e_lrs, e_last) in zip(got, expected):
        assert g_lrs == pytest.approx(e_lrs, rel=1e-12)
        assert g_last == pytest.approx(e_last, rel=1e-12)


def test_one_cycle_cycles_momentum_and_betas(torch):
    for opt_name, key in (("SGD", "momentum"), ("Adam", "betas")):
        expected = lr_history(torch, SCHEDULES["OneCycleLR"], optimizer=opt_name, key=key)
        got = lr_history(ember, SCHEDULES["OneCycleLR"], optimizer=opt_name, key=key)
        assert [g for g, _ in got] == [e for e, _ in expected]


def test_reduce_lr_on_plateau_matches_torch(torch):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85]

    def build(mode, **kw):
        def make(lib, o):
            return lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode=mode, **kw)
        return make
    for mode, kw, m in [("min", dict(patience=1, factor=0.5, cooldown=1), metrics),
                        ("max", dict(patience=2, threshold_mode="abs", min_lr=[0.01, 0.2]),
                         [-x for x in metrics])]:
        expected = lr_history(torch, build(mode, **kw), metrics=m)
        got = lr_history(ember, build(mode, **kw), metrics=m)
        assert got == expected


def test_state_dict_round_trip():
    opt = make_optimizer(ember)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    opt2 = make_optimizer(ember)
    sched2 = lr_scheduler.StepLR(opt2, step_size=7)
    sched2.load_state_dict(state)
    assert sched2.step_size == 2 and sched2.last_epoch == 3
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    opt2.step()
    sched2.step()
    opt.step()
    sched.step()
    assert sched2.get_last_lr()[0] == sched.get_last_lr()[0] == 0.025


def test_lambda_and_sequential_state_dicts():
    class Scaled:
        def __init__(self):
            self.factor = 2.0

        def __call__(self, epoch):
            return self.factor

    fn = Scaled()
    opt = make_optimizer(ember, groups=1)
    sched = lr_scheduler.LambdaLR(opt, fn)
    fn.factor = 3.0
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"factor": 3.0}]
    fn.factor = 1.0
    sched.load_state_dict(state)
    assert fn.factor == 3.0

    opt = make_optimizer(ember, groups=1)
    seq = lr_scheduler.SequentialLR(opt, [lr_scheduler.ExponentialLR(opt, 0.5),
                                          lr_scheduler.StepLR(opt, 2)], milestones=[2])
    state = seq.state_dict()
    assert len(state["_schedulers"]) == 2 and "optimizer" not in state["_schedulers"][0]
    assert state["_schedulers"][0]["gamma"] == 0.5
    state["_schedulers"][0]["gamma"] = 0.25
    seq.load_state_dict(state)
    assert seq._schedulers[0].gamma == 0.25


def test_scheduler_before_optimizer_warns():
    opt = make_optimizer(ember)
    sched = lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
        sched.step()
    opt = make_optimizer(ember)
    sched = lr_scheduler.StepLR(opt, 1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_scheduler_errors_match_torch(torch):
    def both(call):
        with pytest.raises(Exception) as expected:
            call(torch, make_optimizer(torch))
        with pytest.raises(type(expected.value)) as got:
            call(ember, make_optimizer(ember))
        assert str(got.value) == str(expected.value)

    both(lambda lib, o: lib.optim.lr_scheduler.StepLR("opt", 1))
    both(lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lam]))
    both(lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0))
    both(lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0))
    both(lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=2, pct_start=2.0))
    both(lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.5))
    both(lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"))
    both(lambda lib, o: lib.optim.lr_scheduler.SequentialLR(
        o, [lib.optim.lr_scheduler.StepLR(o, 1)], milestones=[1]))
    both(lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 1, last_epoch=3))

    def too_many_steps(lib, o):
        s = lib.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(3):
                s.step()
    both(too_many_steps)


def test_scheduler_marks_the_optimizer_steps():
    opt = make_optimizer(ember)
    lr_scheduler.ExponentialLR(opt, 0.5)
    lr_scheduler.StepLR(opt, 2)  # a second scheduler does not wrap twice
    assert hasattr(opt.step, "_wrapped_by_lr_sched") and isinstance(opt, optim.Optimizer)
    assert not getattr(opt, "_opt_called", False)
    opt.step()
    assert opt._opt_called


ONE_CYCLES = [dict(max_lr=1.0, total_steps=12),
              dict(max_lr=[0.4, 2.0], total_steps=15, pct_start=0.45, anneal_strategy="linear"),
              dict(max_lr=1.0, epochs=2, steps_per_epoch=6, three_phase=True),
              dict(max_lr=0.3, total_steps=13, pct_start=0.2, three_phase=True,
                   base_momentum=[0.7, 0.8], max_momentum=0.99, div_factor=5.0,
                   final_div_factor=100.0),
              dict(max_lr=1.0, total_steps=12, cycle_momentum=False)]


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
@pytest.mark.parametrize("case", range(len(ONE_CYCLES)))
def test_one_cycle_schedules_and_state_match_torch(torch, optimizer, case):
    """Every step's lr and momentum (or beta1), and the saved state, as PyTorch's."""
    def build(lib, opt):
        return lib.optim.lr_scheduler.OneCycleLR(opt, **ONE_CYCLES[case])
    def flat(history):
        return [float(x) for values, last in history for v in values + last
                for x in (v if isinstance(v, tuple) else (v,))]
    key = "betas" if optimizer == "Adam" else "momentum"
    for watched in ("lr", key):
        got = flat(lr_history(ember, build, optimizer=optimizer, key=watched))
        assert got == pytest.approx(flat(lr_history(torch, build, optimizer=optimizer,
                                                    key=watched)), rel=1e-12)
    want, got = (build(lib, make_optimizer(lib, optimizer)).state_dict() for lib in (torch, ember))
    assert got == want


@pytest.mark.parametrize("counts", [dict(epochs=0, steps_per_epoch=3),
                                    dict(epochs=2, steps_per_epoch=1.5), dict(epochs=2),
                                    dict(total_steps=0), dict(total_steps=4, epochs=-1),
                                    dict(total_steps=4, anneal_strategy="cubic"),
                                    dict(total_steps=4, max_lr=[1.0]),
                                    dict(total_steps=4, base_momentum=[0.8, 0.9, 1.0])])
def test_one_cycle_argument_errors_match_torch(torch, counts):
    """The same ValueError, or none (total_steps given: epochs are not looked at)."""
    def outcome(lib):
        try:
            lib.optim.lr_scheduler.OneCycleLR(make_optimizer(lib), **{"max_lr": 1.0, **counts})
        except ValueError as exc:
            return str(exc)
        return None
    assert outcome(ember) == outcome(torch)
    assert (outcome(ember) is None) == (counts == dict(total_steps=4, epochs=-1))
