"""RNN, LSTM, GRU and their cells against torch 2.13: outputs, states, gradients, repr, errors."""
import warnings

import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck, gradgradcheck

from ._helpers import assert_close, copy_weights, raises_like, to_ember

torch = pytest.importorskip("torch")

T, B, I, H = 4, 3, 4, 5  # sequence length, batch, input size, hidden size


def _twins(name, *args, **kwargs):
    """A torch module and its ember twin holding the torch module's initial weights."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(nn, name)(*args, **kwargs)
    assert repr(em) == repr(tm)
    assert ([(k, tuple(v.shape)) for k, v in em.state_dict().items()]
            == [(k, tuple(v.shape)) for k, v in tm.state_dict().items()])
    copy_weights(tm, em)
    return tm, em


def _flat(result):
    """output, h_n or output, (h_n, c_n) (or a cell's h / (h, c)) as a flat list of tensors."""
    if not isinstance(result, tuple):
        return [result]
    return [t for r in result for t in _flat(r)]


def _compare(tm, em, t_inputs):
    """Forward results and gradients of inputs and parameters for a random cotangent."""
    t_inputs = [t.requires_grad_() for t in t_inputs]
    e_inputs = [to_ember(t).requires_grad_() for t in t_inputs]
    # LSTM and LSTMCell take their state as one (h, c) pair
    pair = isinstance(tm, (torch.nn.LSTM, torch.nn.LSTMCell)) and len(t_inputs) == 3
    t_args = (t_inputs[0], tuple(t_inputs[1:])) if pair else t_inputs
    e_args = (e_inputs[0], tuple(e_inputs[1:])) if pair else e_inputs
    t_out, e_out = _flat(tm(*t_args)), _flat(em(*e_args))
    assert len(t_out) == len(e_out)
    gen = torch.Generator().manual_seed(1)
    cots = [torch.randn(t.shape, generator=gen, dtype=t.dtype) for t in t_out]
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        assert_close(e, t, rtol=1e-5, atol=1e-6, msg=f"output {i}")
    sum(((t * c).sum() for t, c in zip(t_out, cots))).backward()
    sum(((e * to_ember(c)).sum() for e, c in zip(e_out, cots))).backward()
    for i, (e, t) in enumerate(zip(e_inputs, t_inputs)):
        assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-5, msg=f"grad of input {i}")
    e_params = dict(em.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(e_params[name].grad, p.grad, rtol=1e-4, atol=1e-5, msg=f"grad of {name}")


# -- the sequence layers ----------------------------------------------------------------------

LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]
CONFIGS = [{}, {"num_layers": 2, "bidirectional": True}, {"batch_first": True, "bias": False},
           {"num_layers": 2, "batch_first": True, "bidirectional": True}]


def _ids(case):
    return "-".join(f"{k}={v}" for k, v in case.items()) or "default"


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
@pytest.mark.parametrize("with_state", [False, True], ids=["no_hx", "hx"])
@pytest.mark.parametrize("name,extra", LAYERS, ids=lambda x: x if isinstance(x, str) else _ids(x))
def test_layer_matches_torch(name, extra, config, with_state):
    tm, em = _twins(name, I, H, **extra, **config)
    shape = (B, T, I) if config.get("batch_first") else (T, B, I)
    inputs = [torch.randn(shape)]
    if with_state:
        layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
        inputs += [torch.randn(layers, B, H) for _ in range(2 if name == "LSTM" else 1)]
    _compare(tm, em, inputs)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True], ids=["no_hx", "hx"])
@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_unbatched(name, with_state, batch_first):
    tm, em = _twins(name, I, H, num_layers=2, bidirectional=True, batch_first=batch_first)
    inputs = [torch.randn(T, I)]
    if with_state:
        inputs += [torch.randn(4, H) for _ in range(2 if name == "LSTM" else 1)]
    _compare(tm, em, inputs)


def test_lstm_returns_torch_structure():
    _, em = _twins("LSTM", I, H)
    out, (h, c) = em(ember.randn(T, B, I))
    assert (tuple(out.shape), tuple(h.shape), tuple(c.shape)) == ((T, B, H), (1, B, H), (1, B, H))


def test_dropout_between_layers_only_in_training():
    tm, em = _twins("GRU", I, H, num_layers=2, dropout=0.5)
    x = torch.randn(T, B, I)
    em.eval()
    tm.eval()
    assert_close(em(to_ember(x))[0], tm(x)[0], msg="eval ignores dropout")
    em.train()
    out_a, out_b = (em(to_ember(x))[0].detach().numpy() for _ in range(2))
    assert not np.allclose(out_a, out_b)  # fresh masks each call
    _, em1 = _twins("GRU", I, H, num_layers=2)
    em1.load_state_dict(em.state_dict())
    assert not np.allclose(out_a, em1(to_ember(x))[0].detach().numpy())


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_one_zeroes_the_input_of_later_layers(name):
    # p=1 is deterministic: torch and ember must agree on where dropout sits
    tm, em = _twins(name, I, H, num_layers=2, bidirectional=True, dropout=1.0)
    _compare(tm, em, [torch.randn(T, B, I)])


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(I, H, dropout=0.2)


def test_repr_matches_torch():
    cases = [("RNN", (I, H), {"nonlinearity": "relu", "bias": False, "num_layers": 3}),
             ("RNN", (I, H, 2, "relu"), {}),
             ("LSTM", (I, H), {"dropout": 0.5, "num_layers": 2, "batch_first": True}),
             ("GRU", (I, H), {"bidirectional": True, "dropout": 1}),
             ("RNNCell", (I, H, False, "relu"), {}), ("LSTMCell", (I, H), {"bias": False}),
             ("GRUCell", (I, H), {}),
             ("Sequential", (), {})]
    for name, args, kwargs in cases[:-1]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _twins(name, *args, **kwargs)
    nested_t = torch.nn.Sequential(torch.nn.LSTM(I, H), torch.nn.Linear(H, 2))
    nested_e = nn.Sequential(nn.LSTM(I, H), nn.Linear(H, 2))
    assert repr(nested_e) == repr(nested_t)


def test_default_init_and_flat_weights():
    ember.manual_seed(3)
    a = nn.LSTM(I, H, num_layers=2, bidirectional=True)
    ember.manual_seed(3)
    b = nn.LSTM(I, H, num_layers=2, bidirectional=True)
    bound = 1 / np.sqrt(H)
    values = np.concatenate([p.detach().numpy().ravel() for p in a.parameters()])
    assert np.all(np.abs(values) <= bound) and np.abs(values).max() > 0.9 * bound
    assert abs(values.mean()) < 0.05  # uniform, centred
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.detach().numpy(), pb.detach().numpy())
    assert a.flatten_parameters() is None
    assert [[tuple(p.shape) for p in ws] for ws in a.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in torch.nn.LSTM(I, H, 2, bidirectional=True)
         .all_weights]


# -- the cells ----------------------------------------------------------------------------------

CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [False, True], ids=["no_hx", "hx"])
@pytest.mark.parametrize("name,extra", CELLS, ids=lambda x: x if isinstance(x, str) else _ids(x))
def test_cell_matches_torch(name, extra, with_state, batched):
    tm, em = _twins(name, I, H, **extra)
    lead = (B,) if batched else ()
    inputs = [torch.randn(lead + (I,))]
    if with_state:
        inputs += [torch.randn(lead + (H,)) for _ in range(2 if name == "LSTMCell" else 1)]
    _compare(tm, em, inputs)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck_float64(name):
    ember.manual_seed(0)
    cell = getattr(nn, name)(3, 2).double()
    x, h, c = (ember.randn(2, n, dtype=ember.float64, requires_grad=True) for n in (3, 2, 2))

    # gradcheck perturbs its inputs in place, so the cell's own parameters can be inputs
    def run(x, h, c, *params):
        return cell(x, (h, c)) if name == "LSTMCell" else cell(x, h)

    inputs = (x, h, c) + tuple(cell.parameters())
    assert gradcheck(run, inputs)
    assert gradgradcheck(run, inputs)


def test_layer_gradcheck_float64():
    ember.manual_seed(0)
    gru = nn.GRU(2, 2, num_layers=2, bidirectional=True).double()
    x = ember.randn(3, 1, 2, dtype=ember.float64, requires_grad=True)
    h = ember.randn(4, 1, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda x, h: gru(x, h), (x, h))
    assert gradgradcheck(lambda x, h: gru(x, h)[0], (x, h))


# -- the LSTM layer op (ember/ops/rnn.py) ---------------------------------------------------------

LSTM_CONFIGS = [{}, {"batch_first": True}, {"bidirectional": True},
                {"num_layers": 2, "dropout": 0.5}, {"bias": False, "batch_first": True}]


def _lstm_run(lstm, with_state):
    """(inputs, f) with f(x[, h0, c0], *params) -> (output, h_n, c_n), for gradcheck."""
    layers = lstm.num_layers * (2 if lstm.bidirectional else 1)
    x = ember.randn(*((2, 3, 2) if lstm.batch_first else (3, 2, 2)), dtype=ember.float64,
                    requires_grad=True)
    state = tuple(ember.randn(layers, 2, 2, dtype=ember.float64, requires_grad=True)
                  for _ in range(2)) if with_state else ()
    n = len(state)

    def f(x, *rest):  # the parameters come last: gradcheck perturbs them in place
        out, (h, c) = lstm(x, tuple(rest[:n]) if n else None)
        return out, h, c

    return (x,) + state + tuple(lstm.parameters()), f


@pytest.mark.parametrize("with_state", [False, True], ids=["no_hx", "hx"])
@pytest.mark.parametrize("config", LSTM_CONFIGS, ids=_ids)
def test_lstm_layer_gradcheck_float64(config, with_state):
    ember.manual_seed(0)
    lstm = nn.LSTM(2, 2, **config).double().eval()  # eval: dropout between layers is off
    inputs, f = _lstm_run(lstm, with_state)
    assert gradcheck(f, inputs)
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_layer_op_gradcheck_float64(reverse):
    from ember.ops.rnn import lstm_layer
    ember.manual_seed(1)
    args = [ember.randn(*s, dtype=ember.float64, requires_grad=True)
            for s in [(4, 2, 3), (8, 3), (8, 2), (8,), (8,), (2, 2), (2, 2)]]
    assert gradcheck(lambda *a: lstm_layer(*a, reverse=reverse), args)
    assert gradgradcheck(lambda *a: lstm_layer(*a, reverse=reverse), args)
    no_bias = args[:3] + args[5:]
    f = lambda x, wi, wh, h, c: lstm_layer(x, wi, wh, None, None, h, c, reverse=reverse)  # noqa
    assert gradcheck(f, no_bias)
    assert gradgradcheck(f, no_bias)


def test_lstm_grad_fn_matches_torch():
    tm, em = _twins("LSTM", I, H, num_layers=2)
    x = torch.randn(T, B, I)
    t_out, (t_h, t_c) = tm(x)
    e_out, (e_h, e_c) = em(to_ember(x))

    def names(fn):
        return [None if f is None else type(f).__name__ for f, _ in fn.next_functions]

    for e, t in [(e_out, t_out), (e_h, t_h), (e_c, t_c)]:
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__  # MkldnnRnnLayer, Stack
    assert names(e_out.grad_fn) == names(t_out.grad_fn)
    assert [i for _, i in e_h.grad_fn.next_functions] == \
        [i for _, i in t_h.grad_fn.next_functions] == [1, 1]
    assert [i for _, i in e_c.grad_fn.next_functions] == [2, 2]


def _assert_second_order_grads(tm, em, inputs):
    """The .grad of each (ember, torch, name) input and of every parameter agree in float64."""
    for e, t, msg in inputs:
        assert_close(e.grad, t.grad, rtol=1e-7, atol=1e-9, msg=msg)
    e_params = dict(em.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(e_params[name].grad, p.grad, rtol=1e-7, atol=1e-9, msg=name)


def test_lstm_double_backward_matches_torch():
    # torch in float64 composes the LSTM from pointwise ops: exact second derivatives
    tm, em = _twins("LSTM", I, H, num_layers=2, bidirectional=True)
    tm, em = tm.double(), em.double()
    x = torch.randn(T, B, I, dtype=torch.float64, requires_grad=True)
    ex = to_ember(x).requires_grad_()
    for mod, inp, lib in [(tm, x, torch), (em, ex, ember)]:
        out, (h, c) = mod(inp)
        (gx,) = lib.autograd.grad((out * out).sum() + (h * c).sum(), inp, create_graph=True)
        (gx * gx).sum().backward()
    _assert_second_order_grads(tm, em, [(ex, x, "grad of input")])


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_layer_op_backward_twice_with_retain_graph(name):
    # the first backward must leave forward's saved gate values as they were
    _, em = _twins(name, I, H, bidirectional=True)
    x = ember.randn(T, B, I, requires_grad=True)
    out, state = em(x)
    loss = (out * out).sum() + (state[1] if name == "LSTM" else state).sum()
    (first,) = ember.autograd.grad(loss, x, retain_graph=True)
    (second,) = ember.autograd.grad(loss, x, retain_graph=True)
    (graph,) = ember.autograd.grad(loss, x, create_graph=True)  # recomputes the gate values
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    np.testing.assert_allclose(graph.detach().numpy(), first.numpy(), rtol=1e-5, atol=1e-6)


# -- the GRU layer op (ember/ops/rnn.py) ----------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("reverse", [False, True])
def test_gru_layer_op_gradcheck_float64(reverse, bias):
    from ember.ops.rnn import gru_layer
    ember.manual_seed(1)
    shapes = [(4, 2, 3), (6, 3), (6, 2), (6,), (6,), (2, 2)]
    args = [ember.randn(*s, dtype=ember.float64, requires_grad=True) for s in shapes]
    if not bias:
        args[3] = args[4] = None
    f = lambda x, wi, wh, bi, bh, h: gru_layer(x, wi, wh, bi, bh, h, reverse=reverse)  # noqa
    if bias:
        assert gradcheck(f, args)
        assert gradgradcheck(f, args)
    else:
        g = lambda x, wi, wh, h: f(x, wi, wh, None, None, h)  # noqa
        no_bias = args[:3] + args[5:]
        assert gradcheck(g, no_bias)
        assert gradgradcheck(g, no_bias)


def test_gru_grad_fn():
    """PyTorch's CPU GRU is per-step ops (its output's grad_fn is StackBackward0); ember's layer
    is one op, GruLayerBackward0 (NOTE [ GRU layer op ]); h_n stacks its second output."""
    _, em = _twins("GRU", I, H, num_layers=2)
    out, h = em(ember.randn(T, B, I))
    assert type(out.grad_fn).__name__ == "GruLayerBackward0"
    assert type(h.grad_fn).__name__ == "StackBackward0"
    assert [(type(f).__name__, i) for f, i in h.grad_fn.next_functions] == \
        [("GruLayerBackward0", 1)] * 2


def test_gru_double_backward_matches_torch():
    # torch composes its CPU GRU from pointwise ops: exact second derivatives
    tm, em = _twins("GRU", I, H, num_layers=2, bidirectional=True)
    tm, em = tm.double(), em.double()
    x = torch.randn(T, B, I, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(4, B, H, dtype=torch.float64, requires_grad=True)
    ex, eh0 = to_ember(x).requires_grad_(), to_ember(h0).requires_grad_()
    for mod, inp, h_in, lib in [(tm, x, h0, torch), (em, ex, eh0, ember)]:
        out, h = mod(inp, h_in)
        gx, gh = lib.autograd.grad((out * out).sum() + (h * h).sum(), (inp, h_in),
                                   create_graph=True)
        ((gx * gx).sum() + (gh * gh).sum()).backward()
    _assert_second_order_grads(tm, em, [(ex, x, "grad of input"), (eh0, h0, "grad of h0")])


# -- the Elman RNN layer op (ember/ops/rnn.py) ---------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_layer_op_gradcheck_float64(nonlinearity, reverse, bias):
    from ember.ops.rnn import rnn_layer
    ember.manual_seed(2)
    shapes = [(4, 2, 3), (2, 3), (2, 2), (2,), (2,), (2, 2)]
    x, wi, wh, bi, bh, h = [ember.randn(*s, dtype=ember.float64, requires_grad=True)
                            for s in shapes]
    if bias:
        args = (x, wi, wh, bi, bh, h)
        f = lambda x, wi, wh, bi, bh, h: rnn_layer(x, wi, wh, bi, bh, h,  # noqa
                                                   nonlinearity, reverse)
    else:
        args = (x, wi, wh, h)
        f = lambda x, wi, wh, h: rnn_layer(x, wi, wh, None, None, h, nonlinearity, reverse)  # noqa
    assert gradcheck(f, args)
    assert gradgradcheck(f, args)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_double_backward_matches_torch(nonlinearity):
    tm, em = _twins("RNN", I, H, num_layers=2, bidirectional=True, nonlinearity=nonlinearity)
    tm, em = tm.double(), em.double()
    x = torch.randn(T, B, I, dtype=torch.float64, requires_grad=True)
    ex = to_ember(x).requires_grad_()
    for mod, inp, lib in [(tm, x, torch), (em, ex, ember)]:
        out, h = mod(inp)
        (gx,) = lib.autograd.grad((out * out).sum() + (h * h).sum(), inp, create_graph=True)
        (gx * gx).sum().backward()
    _assert_second_order_grads(tm, em, [(ex, x, "grad of input")])


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_bias_gradients_are_separate_tensors_under_create_graph(name):
    # b_ih and b_hh of RNN and LSTM get equal gradients; zeroing one .grad must not zero the other
    _, em = _twins(name, I, H)
    out = em(ember.randn(T, B, I))[0]
    out.sum().backward(create_graph=True)
    em.bias_ih_l0.grad.zero_()
    assert em.bias_hh_l0.grad.abs().sum().item() > 0


def test_rnn_grad_fn():
    _, em = _twins("RNN", I, H, num_layers=2)
    out, h = em(ember.randn(T, B, I))
    assert type(out.grad_fn).__name__ == "RnnLayerBackward0"
    assert [(type(f).__name__, i) for f, i in h.grad_fn.next_functions] == \
        [("RnnLayerBackward0", 1)] * 2


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_layer_bad_input(name):
    tm, em = _twins(name, I, H, num_layers=2)
    lstm = name == "LSTM"

    def state(t, *shape):
        h = t.zeros(*shape)
        return (h, h) if lstm else h

    for t_call, e_call in [
        (lambda: tm(torch.zeros(T, B, 3)), lambda: em(ember.zeros(T, B, 3))),
        (lambda: tm(torch.zeros(T, B, I, 1)), lambda: em(ember.zeros(T, B, I, 1))),
        (lambda: tm(torch.zeros(T, B, I), state(torch, 2, B + 1, H)),
         lambda: em(ember.zeros(T, B, I), state(ember, 2, B + 1, H))),
        (lambda: tm(torch.zeros(T, B, I), state(torch, 2, H)),
         lambda: em(ember.zeros(T, B, I), state(ember, 2, H))),
        (lambda: tm(torch.zeros(T, I), state(torch, 2, 1, H)),
         lambda: em(ember.zeros(T, I), state(ember, 2, 1, H))),
        (lambda: tm(torch.zeros(T, B, I, dtype=torch.float64)),
         lambda: em(ember.zeros(T, B, I, dtype=ember.float64))),
    ]:
        raises_like(t_call, e_call)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 4, got 3"):
        em(ember.zeros(T, B, 3))


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_bad_input(name):
    tm, em = _twins(name, I, H)
    lstm = name == "LSTMCell"

    def state(t, *shape):
        h = t.zeros(*shape)
        return (h, h) if lstm else h

    raises_like(lambda: tm(torch.zeros(B, 3)), lambda: em(ember.zeros(B, 3)))
    raises_like(lambda: tm(torch.zeros(B, I, 1)), lambda: em(ember.zeros(B, I, 1)))
    raises_like(lambda: tm(torch.zeros(B, I), state(torch, B + 1, H)),
                lambda: em(ember.zeros(B, I), state(ember, B + 1, H)))
    raises_like(lambda: tm(torch.zeros(B, I), state(torch, B, H + 1)),
                lambda: em(ember.zeros(B, I), state(ember, B, H + 1)))
    raises_like(lambda: tm(torch.zeros(B, I), state(torch, 1, B, H)),
                lambda: em(ember.zeros(B, I), state(ember, 1, B, H)))


@pytest.mark.parametrize("call", [
    lambda m: m.RNN(I, H, nonlinearity="sigmoid"),
    lambda m: m.RNN(I, H, proj_size=2),
    lambda m: m.GRU(I, H, proj_size=2),
    lambda m: m.LSTM(I, H, dropout=1.5),
    lambda m: m.LSTM(I, H, dropout=True),
    lambda m: m.LSTM(I, H, bias=1),
    lambda m: m.LSTM(I, H, batch_first=None),
    lambda m: m.GRU(I, 0),
    lambda m: m.GRU(0, H),
    lambda m: m.GRU(I, 2.0),
    lambda m: m.GRU(I, H, num_layers=0),
    lambda m: m.LSTM(I, H, proj_size=H),
], ids=range(12))
def test_constructor_errors(call):
    raises_like(lambda: call(torch.nn), lambda: call(nn))
