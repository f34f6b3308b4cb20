"""optim.swa_utils: AveragedModel (equal weights, EMA, per-tensor and list averaging functions,
with and without buffers), update_bn and SWALR against torch on the same weights and inputs."""
import warnings

import numpy as np
import pytest

import ember
from tests.optim.test_lr_scheduler import lr_history

RNG = np.random.default_rng(3)
X = [RNG.standard_normal((5, 3)) for _ in range(4)]
DELTAS = [[RNG.standard_normal(s) * 0.1 for s in ((4, 3), (4,), (4,), (4,), (2, 4), (2,))]
          for _ in range(4)]


def make_model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(),
                              lib.nn.Linear(4, 2)).double()
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape))))
    return model


def train_step(lib, model, k):
    """A stand-in for one epoch: weights move, batch-norm statistics follow a batch."""
    with lib.no_grad():
        for p, delta in zip(model.parameters(), DELTAS[k]):
            p.add_(lib.tensor(delta))
    model.train()
    model(lib.tensor(X[k]))


def state(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def averaging(lib, kind):
    swa = lib.optim.swa_utils
    return {"default": {},
            "swa_avg_fn": dict(avg_fn=swa.get_swa_avg_fn()),
            "ema_avg_fn": dict(avg_fn=swa.get_ema_avg_fn(0.8)),
            "swa_multi": dict(multi_avg_fn=swa.get_swa_multi_avg_fn()),
            "ema_multi": dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.8))}[kind]


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", ["default", "swa_avg_fn", "ema_avg_fn", "swa_multi",
                                  "ema_multi"])
def test_averaged_model_matches_torch(torch, kind, use_buffers):
    results = []
    for lib in (torch, ember):
        model = make_model(lib)
        averaged = lib.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers,
                                                     **averaging(lib, kind))
        if kind == "swa_multi" and use_buffers:  # num_batches_tracked is an integer buffer
            averaged.update_parameters(model)
            with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
                averaged.update_parameters(model)
            continue
        for k in range(4):
            train_step(lib, model, k)
            averaged.update_parameters(model)
        averaged.eval()
        out = averaged(lib.tensor(X[0])).detach().numpy()
        results.append((state(averaged), out, repr(averaged)))
    if not results:
        return
    (t_state, t_out, t_repr), (e_state, e_out, e_repr) = results
    assert list(e_state) == list(t_state) and e_repr == t_repr
    for key, tv in t_state.items():
        assert e_state[key].dtype == tv.dtype, key
        np.testing.assert_allclose(e_state[key], tv, rtol=1e-13, atol=1e-15, err_msg=key)
    assert e_state["n_averaged"] == 4
    np.testing.assert_allclose(e_out, t_out, rtol=1e-12, atol=1e-14)


def test_averaged_model_is_a_copy_and_can_be_moved():
    model = make_model(ember)
    averaged = ember.optim.swa_utils.AveragedModel(model, device="cpu")
    assert averaged.module is not model
    assert averaged.n_averaged.dtype == ember.int64 and averaged.n_averaged.item() == 0
    with ember.no_grad():
        next(averaged.parameters()).zero_()
    assert next(model.parameters()).abs().sum().item() > 0


def test_only_one_averaging_function(torch):
    for lib in (torch, ember):
        swa = lib.optim.swa_utils
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            swa.AveragedModel(make_model(lib), avg_fn=swa.get_swa_avg_fn(),
                              multi_avg_fn=swa.get_swa_multi_avg_fn())


@pytest.mark.parametrize("getter", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_decay_out_of_range_raises_torch_error(torch, getter):
    with pytest.raises(ValueError) as expected:
        getattr(torch.optim.swa_utils, getter)(1.5)
    with pytest.raises(ValueError) as got:
        getattr(ember.optim.swa_utils, getter)(1.5)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("with_device", [False, True])
def test_update_bn_matches_torch(torch, with_device):
    results = []
    for lib in (torch, ember):
        model = make_model(lib)
        model[1].momentum = 0.3
        model.eval()
        loader = [(lib.tensor(x), lib.tensor(0)) for x in X]
        kwargs = dict(device="cpu") if with_device else {}
        lib.optim.swa_utils.update_bn(loader, model, **kwargs)
        assert model[1].momentum == 0.3 and not model.training
        lib.optim.swa_utils.update_bn([lib.tensor(x) for x in X[:2]], model)  # bare tensors
        results.append(state(model))
    for key, tv in results[0].items():
        np.testing.assert_allclose(results[1][key], tv, rtol=1e-13, atol=1e-15, err_msg=key)


def test_update_bn_without_batch_norm_leaves_the_model_alone():
    model = ember.nn.Linear(3, 2).double()
    model.eval()
    ember.optim.swa_utils.update_bn([], model)
    assert not model.training


def swalr(swa_lr, anneal_epochs, strategy):
    return lambda lib, o: lib.optim.swa_utils.SWALR(o, swa_lr, anneal_epochs, strategy)


@pytest.mark.parametrize("build", [swalr(0.05, 10, "cos"), swalr([0.05, 0.2], 3, "linear"),
                                   swalr(0.05, 0, "cos"), swalr(0.3, 1, "linear")])
def test_swalr_lr_sequence_matches_torch(torch, build):
    expected = lr_history(torch, build, epochs=14)
    got = lr_history(ember, build, epochs=14)
    for (g_lrs, g_last), (e_lrs, e_last) in zip(got, expected):
        assert g_lrs == pytest.approx(e_lrs, rel=1e-13)
        assert g_last == pytest.approx(e_last, rel=1e-13)


def test_swalr_state_dict_round_trip(torch):
    lrs = []
    for lib in (torch, ember):
        model = lib.nn.Linear(2, 1)
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        sched = lib.optim.swa_utils.SWALR(opt, 0.1, anneal_epochs=6, anneal_strategy="linear")
        for _ in range(3):
            opt.step()
            sched.step()
        saved = sched.state_dict()
        assert "anneal_func" not in saved and saved["_anneal_strategy"] == "linear"
        other_opt = lib.optim.SGD(model.parameters(), lr=0.5)
        other_opt.load_state_dict(opt.state_dict())
        other = lib.optim.swa_utils.SWALR(other_opt, 0.1, anneal_strategy="cos")
        other.load_state_dict(saved)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(4):
                other_opt.step()
                other.step()
                lrs.append(other.get_last_lr()[0])
    assert lrs[4:] == pytest.approx(lrs[:4], rel=1e-13)


@pytest.mark.parametrize("kwargs", [dict(anneal_strategy="step"), dict(anneal_epochs=-1),
                                    dict(anneal_epochs=2.0), dict(swa_lr=[0.1, 0.2])])
def test_swalr_errors_match_torch(torch, kwargs):
    def build(lib):
        opt = lib.optim.SGD(lib.nn.Linear(2, 1).parameters(), lr=0.5)
        return lib.optim.swa_utils.SWALR(opt, **({"swa_lr": 0.1} | kwargs))
    with pytest.raises(ValueError) as expected:
        build(torch)
    with pytest.raises(ValueError) as got:
        build(ember)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("getter,args", [("get_swa_multi_avg_fn", ()),
                                         ("get_ema_multi_avg_fn", (0.7,))])
@pytest.mark.parametrize("count", [2, "tensor"])
def test_list_averaging_functions_match_torch(torch, getter, args, count):
    """Called directly, with a Python int or an int64 tensor count, on float64 and int64 lists."""
    results = []
    for lib in (torch, ember):
        n = lib.tensor(2) if count == "tensor" else count
        fn = getattr(lib.optim.swa_utils, getter)(*args)
        averaged = [lib.tensor(X[0]), lib.tensor(X[1][0])]
        fn(averaged, [lib.tensor(X[2]), lib.tensor(X[3][0])], n)
        ints = [lib.tensor([3, 7, -4])]
        if getter == "get_swa_multi_avg_fn":
            with pytest.raises(RuntimeError):  # integers: addcdiv_ or a float alpha refused
                fn(ints, [lib.tensor([5, 1, 8])], n)
        else:
            fn(ints, [lib.tensor([5, 1, 8])], n)
        results.append([t.numpy() for t in averaged + ints])
    for e, t in zip(results[1], results[0]):
        assert e.dtype == t.dtype
        np.testing.assert_allclose(e, t, rtol=1e-14, atol=1e-15)
