"""Module backward hooks and the hooks of every module, against torch: the same scenario runs on
both libraries and records what the hooks saw."""
import warnings

import numpy as np
import pytest

import ember
from ember.nn.modules import module as ember_module

from ._helpers import raises_like

torch = pytest.importorskip("torch")
torch_module = torch.nn.modules.module

W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
B = np.array([0.1, -0.2], np.float32)
X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], np.float32)


def _np(v):
    if isinstance(v, (tuple, list)):
        return tuple(_np(x) for x in v)
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        return v.detach().numpy().copy()
    return v


def _same(a, b):
    """Equal records: nested tuples of arrays, numbers, strings and None."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), f"{a} != {b}"
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), f"{a} != {b}"
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    else:
        assert a == b


def _both(scenario):
    """scenario(lib) -> record, for torch and for ember; the records must match."""
    expected = scenario(torch)
    got = scenario(ember)
    _same(tuple(got), tuple(expected))
    return got


def _linear(lib):
    lin = lib.nn.Linear(3, 2)
    with lib.no_grad():
        lin.weight.copy_(lib.tensor(W))
        lin.bias.copy_(lib.tensor(B))
    return lin


def test_full_hooks_see_and_replace_gradients_in_order():
    def scenario(lib):
        log = []
        lin = _linear(lib)
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("pre", _np(go))))
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 10,))
        lin.register_full_backward_pre_hook(lambda m, go: log.append(("first", _np(go))),
                                            prepend=True)
        lin.register_full_backward_hook(lambda m, gi, go: log.append(("full", _np(gi),
                                                                      _np(go))))
        lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
        lin.register_full_backward_hook(lambda m, gi, go: log.append(("full0", m is lin)),
                                        prepend=True)
        x = lib.tensor(X, requires_grad=True)
        y = lin(x)
        log.append(("grad_fn", type(y.grad_fn).__name__))
        (y * y).sum().backward()
        log.append(("x.grad", _np(x.grad)))
        log.append(("w.grad", _np(lin.weight.grad)))
        return log
    log = _both(scenario)
    assert [e[0] for e in log] == ["grad_fn", "first", "pre", "full0", "full", "x.grad",
                                   "w.grad"]


def test_grad_input_and_grad_output_entries_for_other_arguments():
    # a non-tensor argument gets None, a tensor that needs no gradient a zero one (as torch);
    # an output that needs no gradient, or that the loss does not use, gets None
    def scenario(lib):
        log = []

        class Three(lib.nn.Module):
            def forward(self, a, k, b):
                return a * k, b * a.sum(), a * 3, "text"
        m = Three()
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _np(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("full", _np(gi),
                                                                      _np(go))))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        out = m(a, 2.0, lib.ones(3))
        out[0].sum().backward()
        log.append(("a.grad", _np(a.grad)))
        return log
    _both(scenario)


def test_no_input_requires_grad_fires_at_the_outputs():
    def scenario(lib):
        log = []
        lin = _linear(lib)
        lin.register_full_backward_hook(lambda m, gi, go: log.append(("full", _np(gi),
                                                                      _np(go))))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lin(lib.tensor(X)).sum().backward()
        log.append(tuple(str(w.message) for w in caught if w.category is UserWarning))
        return log
    _both(scenario)

    def returning(lib):
        lin = _linear(lib)
        lin.register_full_backward_hook(lambda m, gi, go: (lib.ones(2, 3),))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lin(lib.tensor(X)).sum().backward()
    raises_like(lambda: returning(torch), lambda: returning(ember))


@pytest.mark.parametrize("case", ["grad_input_count", "grad_output_count", "grad_input_size"])
def test_wrong_hook_results_raise_as_torch(case):
    def scenario(lib):
        lin = _linear(lib)
        if case == "grad_input_count":
            lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        elif case == "grad_output_count":
            lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
        else:
            lin.register_full_backward_hook(lambda m, gi, go: (lib.ones(3),))
        lin(lib.tensor(X, requires_grad=True)).sum().backward()
    raises_like(lambda: scenario(torch), lambda: scenario(ember))


def test_handles_remove_hooks_and_a_call_keeps_the_hooks_it_started_with():
    def scenario(lib):
        log = []
        lin = _linear(lib)
        x = lib.tensor(X, requires_grad=True)
        gone = lin.register_full_backward_hook(lambda *a: log.append("gone"))
        gone_pre = lin.register_full_backward_pre_hook(lambda *a: log.append("gone_pre"))
        gone.remove()
        gone_pre.remove()
        lin(x).sum().backward()
        late = lin.register_full_backward_hook(lambda *a: log.append("late"))
        y = lin(x)
        late.remove()
        y.sum().backward()   # torch still fires it: the hooks were taken at the call
        lin(x).sum().backward()
        log.append(len(lin._backward_hooks))
        return log
    assert _both(scenario) == ["late", 0]


def test_no_grad_call_and_outputs_hooks_cannot_see():
    def scenario(lib):
        log = []
        lin = _linear(lib)
        lin.register_full_backward_hook(lambda *a: log.append("full"))
        with lib.no_grad():
            log.append(lin(lib.tensor(X, requires_grad=True)).requires_grad)

        class AsList(lib.nn.Module):
            def forward(self, a):
                return [a * 2]
        m = AsList()
        m.register_full_backward_hook(lambda *a: log.append("list"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = m(lib.ones(2, requires_grad=True))
        out[0].sum().backward()
        log.append(tuple(str(w.message) for w in caught))
        return log
    _both(scenario)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.Sigmoid(),
                                  lambda lib: lib.nn.Tanh()])
def test_legacy_backward_hook_on_a_single_op_module(make):
    def scenario(lib):
        log = []
        m = make(lib)
        m.register_backward_hook(lambda mod, gi, go: log.append((_np(gi), _np(go))))
        m.register_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
        x = lib.tensor(X, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = m(x * 1)   # an input made by a node: the hooked node's input, so no warning
            z = m(x)       # a leaf input: torch warns that grad_input may be incomplete
        (y * y).sum().backward()
        z.sum().backward()
        log.append(tuple((w.category.__name__, str(w.message)) for w in caught))
        log.append(_np(x.grad))
        return log
    _both(scenario)


def test_legacy_and_full_hooks_do_not_mix():
    def full_then_legacy(lib):
        m = lib.nn.ReLU()
        m.register_full_backward_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)

    def legacy_then_full(lib):
        m = lib.nn.ReLU()
        m.register_backward_hook(lambda *a: None)
        m.register_full_backward_hook(lambda *a: None)

    raises_like(lambda: full_then_legacy(torch), lambda: full_then_legacy(ember))
    raises_like(lambda: legacy_then_full(torch), lambda: legacy_then_full(ember))
    for lib in (torch, ember):  # a pre-hook goes with either kind
        m = lib.nn.ReLU()
        m.register_full_backward_pre_hook(lambda *a: None)
        m.register_backward_hook(lambda *a: None)


def test_modifying_a_hooked_input_or_output_in_place_raises():
    # torch raises at the in-place write, ember after forward (an input) or when the gradient
    # arrives (an output); both with torch's error
    def relu_inplace(lib):
        m = lib.nn.ReLU(inplace=True)
        m.register_full_backward_hook(lambda *a: None)
        m(lib.tensor(X, requires_grad=True) * 1).sum().backward()

    def output_add(lib):
        lin = _linear(lib)
        lin.register_full_backward_hook(lambda *a: None)
        y = lin(lib.tensor(X, requires_grad=True))
        y.add_(1)
        y.sum().backward()

    raises_like(lambda: relu_inplace(torch), lambda: relu_inplace(ember))
    raises_like(lambda: output_add(torch), lambda: output_add(ember))


def _global_scenario(lib):
    mod = torch_module if lib is torch else ember_module
    log = []
    net = lib.nn.Sequential(_linear(lib), lib.nn.ReLU())
    handles = [
        mod.register_module_forward_pre_hook(
            lambda m, args: log.append(("g_fwd_pre", type(m).__name__))),
        mod.register_module_forward_hook(
            lambda m, args, out: log.append(("g_fwd", type(m).__name__))),
        mod.register_module_forward_hook(
            lambda m, args, kwargs, out: log.append(("g_fwd_kw", type(m).__name__, kwargs)),
            with_kwargs=True),
        mod.register_module_full_backward_pre_hook(
            lambda m, go: log.append(("g_bwd_pre", type(m).__name__, _np(go)))),
        mod.register_module_full_backward_hook(
            lambda m, gi, go: log.append(("g_bwd", type(m).__name__, _np(gi)))),
        net[0].register_forward_hook(lambda *a: log.append(("own_fwd",))),
        net[0].register_full_backward_hook(lambda *a: log.append(("own_bwd",))),
    ]
    x = lib.tensor(X, requires_grad=True)
    net(x).sum().backward()
    log.append(("x.grad", _np(x.grad)))
    for h in handles:
        h.remove()
    net(x).sum().backward()
    return log


def test_global_forward_and_backward_hooks():
    try:
        log = _both(_global_scenario)
    finally:
        torch_module._global_is_full_backward_hook = None
        ember_module._global_is_full_backward_hook = None
    names = [e[:2] for e in log]
    assert ("own_bwd",) in names and ("g_bwd_pre", "Sequential") in names


def test_global_legacy_and_full_backward_hooks_do_not_mix():
    def mix(lib):
        mod = torch_module if lib is torch else ember_module
        handle = mod.register_module_full_backward_hook(lambda *a: None)
        try:
            mod.register_module_backward_hook(lambda *a: None)
        finally:
            handle.remove()
            mod._global_is_full_backward_hook = None
    raises_like(lambda: mix(torch), lambda: mix(ember))


def test_global_always_called_forward_hook_runs_when_forward_raises():
    def scenario(lib):
        mod = torch_module if lib is torch else ember_module
        log = []

        class Fails(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        handle = mod.register_module_forward_hook(
            lambda m, args, out: log.append(("always", type(m).__name__, out)), always_call=True)
        try:
            with pytest.raises(ValueError):
                Fails()(1)
        finally:
            handle.remove()
        return log
    assert _both(scenario) == [("always", "Fails", None)]


def test_global_registration_hooks():
    def scenario(lib):
        mod = torch_module if lib is torch else ember_module
        log = []
        replacement = lib.nn.Parameter(lib.zeros(1))

        def on_param(m, name, p):
            log.append(("param", type(m).__name__, name, None if p is None else tuple(p.shape)))
            return replacement if name == "swap" else None
        handles = [
            mod.register_module_parameter_registration_hook(on_param),
            mod.register_module_buffer_registration_hook(
                lambda m, name, b: log.append(("buffer", type(m).__name__, name))),
            mod.register_module_module_registration_hook(
                lambda m, name, sub: log.append(("module", type(m).__name__, name,
                                                 type(sub).__name__))),
        ]
        try:
            net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
            net.extra = lib.nn.ReLU()
            net.extra = None
            net.swap = lib.nn.Parameter(lib.ones(3))
            net.register_buffer("buf", lib.ones(1))
            net.buf = lib.zeros(1)
            log.append(("swapped", net.swap is replacement))
        finally:
            for h in handles:
                h.remove()
        lib.nn.Linear(1, 1)
        return log
    _both(scenario)
