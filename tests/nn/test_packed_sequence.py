"""nn.utils.rnn's packed sequences against torch 2.13 (pack / pad round trips, sorting, errors,
gradients), and RNN, LSTM, GRU over packed input and LSTM's proj_size."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.autograd import gradcheck, gradgradcheck
from ember.nn.utils import rnn

from ._helpers import assert_close, copy_weights, raises_like, to_ember

torch = pytest.importorskip("torch")
trnn = torch.nn.utils.rnn

T, B, I, H = 5, 4, 3, 4  # longest length, batch, input size, hidden size
SORTED = [5, 3, 3, 1]
UNSORTED = [2, 5, 1, 5]  # a tie: the stable sort keeps 1 before 3, as torch's does


def _padded(shape, seed=0):
    gen = torch.Generator().manual_seed(seed)
    t = torch.randn(shape, generator=gen, requires_grad=True)
    return t, to_ember(t).requires_grad_()


def _same_packed(got, want):
    assert type(got) is rnn.PackedSequence and got._fields == want._fields
    assert_close(got.data, want.data, msg="data")
    assert got.batch_sizes.dtype == ember.int64
    assert got.batch_sizes.tolist() == want.batch_sizes.tolist()
    for name in ("sorted_indices", "unsorted_indices"):
        a, b = getattr(got, name), getattr(want, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.dtype == ember.int64 and a.tolist() == b.tolist(), name


# -- pack_padded_sequence / pad_packed_sequence ---------------------------------------------------

@pytest.mark.parametrize("trailing", [(), (I,), (2, 3)])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [(SORTED, True), (UNSORTED, False)])
def test_pack_pad_round_trip_matches_torch(trailing, batch_first, lengths, enforce_sorted):
    shape = ((B, T) if batch_first else (T, B)) + trailing
    tx, ex = _padded(shape)
    tp = trnn.pack_padded_sequence(tx, lengths, batch_first=batch_first,
                                   enforce_sorted=enforce_sorted)
    ep = rnn.pack_padded_sequence(ex, lengths, batch_first=batch_first,
                                  enforce_sorted=enforce_sorted)
    _same_packed(ep, tp)
    assert type(ep.data.grad_fn).__name__ == "PackPaddedSequenceBackward0"
    tpad, tlen = trnn.pad_packed_sequence(tp, batch_first=batch_first, padding_value=-3.0,
                                          total_length=T + 2)
    epad, elen = rnn.pad_packed_sequence(ep, batch_first=batch_first, padding_value=-3.0,
                                         total_length=T + 2)
    assert_close(epad, tpad, msg="padded")
    assert elen.dtype == ember.int64 and elen.tolist() == tlen.tolist() == lengths
    assert type(epad.grad_fn).__name__ == type(tpad.grad_fn).__name__
    weight = torch.randn(tpad.shape, generator=torch.Generator().manual_seed(1))
    (tpad * weight).sum().backward()
    (epad * to_ember(weight)).sum().backward()
    assert_close(ex.grad, tx.grad, msg="gradient through pack and pad")


def test_lengths_as_tensor_or_floats_and_default_total_length():
    tx, ex = _padded((T, B, I))
    for lengths in (torch.tensor(SORTED), [5.0, 3.7, 3, 1]):
        ep = rnn.pack_padded_sequence(ex, to_ember(lengths) if torch.is_tensor(lengths)
                                      else lengths)
        _same_packed(ep, trnn.pack_padded_sequence(tx, lengths))
    tx, ex = _padded((T + 3, B, I))  # longer than the longest sequence
    tpad, _ = trnn.pad_packed_sequence(trnn.pack_padded_sequence(tx, SORTED))
    epad, _ = rnn.pad_packed_sequence(rnn.pack_padded_sequence(ex, SORTED))
    assert_close(epad, tpad)


@pytest.mark.parametrize("call", [
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [3, 5, 3, 1]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 1, 0]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [0, 5, 3, 1]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 1, -1], enforce_sorted=False),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 1]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [[5, 3, 3, 1]]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, m.tensor(5)),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 3, 1], batch_first=True),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x[:, 0, 0], [5]),
    lambda m, x: m.nn.utils.rnn.pack_padded_sequence(x[:0], [1, 1, 1, 1]),
    lambda m, x: m.nn.utils.rnn.pad_packed_sequence(
        m.nn.utils.rnn.pack_padded_sequence(x, [5, 3, 3, 1]), total_length=4),
    lambda m, x: m.nn.utils.rnn.pack_sequence([]),
    lambda m, x: m.nn.utils.rnn.pack_sequence([x[:2, 0]] + list(x.unbind(1))),
], ids=range(13))
def test_errors_match_torch(call):
    tx, ex = _padded((T, B, I))
    raises_like(lambda: call(torch, tx), lambda: call(ember, ex))


def test_length_beyond_padded_input_is_refused():
    # torch 2.13 reads past the input here; ember refuses
    with pytest.raises(RuntimeError, match="exceeds the padded input's sequence dimension"):
        rnn.pack_padded_sequence(ember.zeros(T, B, I), [T + 1, 3, 3, 1])


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_sequence_unpack_unpad_match_torch(enforce_sorted):
    lengths = SORTED if enforce_sorted else UNSORTED
    gen = torch.Generator().manual_seed(2)
    tseqs = [torch.randn(n, I, generator=gen, requires_grad=True) for n in lengths]
    eseqs = [to_ember(s).requires_grad_() for s in tseqs]
    tp = trnn.pack_sequence(tseqs, enforce_sorted=enforce_sorted)
    ep = rnn.pack_sequence(eseqs, enforce_sorted=enforce_sorted)
    _same_packed(ep, tp)
    tback, eback = trnn.unpack_sequence(tp), rnn.unpack_sequence(ep)
    assert len(eback) == len(tback)
    for e, t in zip(eback, tback):
        assert_close(e, t)
    sum((s * (i + 1)).sum() for i, s in enumerate(tback)).backward()
    sum((s * (i + 1)).sum() for i, s in enumerate(eback)).backward()
    for e, t in zip(eseqs, tseqs):
        assert_close(e.grad, t.grad)
    padded = trnn.pad_sequence(tseqs, batch_first=True)
    for batch_first, p in ((True, padded), (False, padded.transpose(0, 1))):
        eun = rnn.unpad_sequence(to_ember(p), ember.tensor(lengths), batch_first=batch_first)
        # torch transposes its argument in place here (ember leaves it alone): call it last
        tun = trnn.unpad_sequence(p, torch.tensor(lengths), batch_first=batch_first)
        for e, t in zip(eun, tun):
            assert_close(e, t)


def test_pack_and_pad_gradcheck_float64():
    x = ember.randn(T, B, 2, dtype=ember.float64, requires_grad=True)

    def pack(x):
        return rnn.pack_padded_sequence(x, UNSORTED, batch_first=False, enforce_sorted=False).data

    def round_trip(x):
        p = rnn.pack_padded_sequence(x, UNSORTED, batch_first=True, enforce_sorted=False)
        return rnn.pad_packed_sequence(p, batch_first=True, padding_value=1.5, total_length=6)[0]

    xb = ember.randn(B, T, 2, dtype=ember.float64, requires_grad=True)
    assert gradcheck(pack, (x,)) and gradgradcheck(pack, (x,))
    assert gradcheck(round_trip, (xb,)) and gradgradcheck(round_trip, (xb,))
    data = ember.randn(sum(SORTED), 2, dtype=ember.float64, requires_grad=True)
    sizes = rnn.pack_padded_sequence(ember.zeros(T, B), SORTED).batch_sizes

    def pad(data):
        return rnn.pad_packed_sequence(rnn.PackedSequence(data, sizes), padding_value=-1.0)[0]
    assert gradcheck(pad, (data,)) and gradgradcheck(pad, (data,))


# -- PackedSequence itself ------------------------------------------------------------------------

def test_packed_sequence_object_matches_torch():
    tx, ex = _padded((T, B, 2))
    tp = trnn.pack_padded_sequence(tx, UNSORTED, enforce_sorted=False)
    ep = rnn.pack_padded_sequence(ex, UNSORTED, enforce_sorted=False)
    assert repr(ep) == repr(tp)
    assert isinstance(ep, tuple) and ep._fields == ("data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices")
    data, batch_sizes, sorted_indices, unsorted_indices = ep
    assert data is ep.data and unsorted_indices is ep.unsorted_indices
    assert ep.is_cuda is False and ep.is_pinned() is False
    for convert in ("double", "half", "long", "int", "short", "char", "byte"):
        got, want = getattr(ep, convert)(), getattr(tp, convert)()
        assert type(got) is rnn.PackedSequence and str(got.data.dtype) == str(want.data.dtype)
        assert got.batch_sizes is ep.batch_sizes
        assert got.sorted_indices.tolist() == want.sorted_indices.tolist()
    assert ep.float() is ep and ep.to(ember.float32) is ep and ep.cpu() is ep
    assert ep.to("cpu", dtype=ember.float64, non_blocking=True).data.dtype == ember.float64
    legacy = rnn.PackedSequence((ep.data, ep.batch_sizes))
    assert repr(legacy) == repr(trnn.PackedSequence((tp.data, tp.batch_sizes)))
    only_sorted = rnn.PackedSequence(ep.data, ep.batch_sizes, ember.tensor([3, 0, 2, 1]))
    assert only_sorted.unsorted_indices.tolist() == [1, 3, 2, 0]
    assert rnn.invert_permutation(None) is None
    perm = torch.randperm(7)
    assert (rnn.invert_permutation(to_ember(perm)).tolist()
            == trnn.invert_permutation(perm).tolist())
    assert sorted(rnn.__all__) == sorted(trnn.__all__)


# -- RNN, LSTM, GRU over packed input -------------------------------------------------------------

def _twins(name, *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(nn, name)(*args, **kwargs)
    assert repr(em) == repr(tm)
    assert ([(k, tuple(v.shape)) for k, v in em.state_dict().items()]
            == [(k, tuple(v.shape)) for k, v in tm.state_dict().items()])
    copy_weights(tm, em)
    return tm, em


def _state_shapes(name, config):
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    h = config.get("proj_size") or H
    return [(layers, B, h)] + ([(layers, B, H)] if name == "LSTM" else [])


def _flat(result):
    if type(result).__name__ == "PackedSequence":  # ember's or torch's
        return [result.data]
    if isinstance(result, tuple):
        return [t for r in result for t in _flat(r)]
    return [result]


def _compare(tm, em, name, t_inputs, run):
    """run(module, inputs) on both; forward results, then gradients of inputs and parameters
    for a random cotangent."""
    e_inputs = [to_ember(t).requires_grad_() for t in t_inputs]
    t_out, e_out = _flat(run(tm, t_inputs, torch)), _flat(run(em, e_inputs, ember))
    assert len(t_out) == len(e_out)
    gen = torch.Generator().manual_seed(1)
    cots = [torch.randn(t.shape, generator=gen) for t in t_out]
    for i, (e, t) in enumerate(zip(e_out, t_out)):
        assert_close(e, t, rtol=1e-5, atol=1e-6, msg=f"output {i}")
    sum((t * c).sum() for t, c in zip(t_out, cots)).backward()
    sum((e * to_ember(c)).sum() for e, c in zip(e_out, cots)).backward()
    for i, (e, t) in enumerate(zip(e_inputs, t_inputs)):
        assert_close(e.grad, t.grad, rtol=1e-4, atol=1e-5, msg=f"grad of input {i}")
    e_params = dict(em.named_parameters())
    for pname, p in tm.named_parameters():
        assert_close(e_params[pname].grad, p.grad, rtol=1e-4, atol=1e-5, msg=f"grad of {pname}")


def _state_arg(name, states):
    if not states:
        return None
    return tuple(states) if name == "LSTM" else states[0]


PACKED_CASES = [("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
                ("GRU", {}), ("GRU", {"num_layers": 2, "bidirectional": True}),
                ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}),
                ("LSTM", {"proj_size": 2}),
                ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True, "bias": False}),
                ("RNN", {"bidirectional": True, "batch_first": True})]


def _case_id(case):
    name, config = case
    return "-".join([name] + [f"{k}={v}" for k, v in config.items()])


@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("with_state", [False, True], ids=["no_hx", "hx"])
@pytest.mark.parametrize("lengths,enforce_sorted", [(SORTED, True), (UNSORTED, False)],
                         ids=["sorted", "unsorted"])
@pytest.mark.parametrize("case", PACKED_CASES, ids=_case_id)
def test_layer_over_packed_input_matches_torch(case, lengths, enforce_sorted, with_state):
    name, config = case
    tm, em = _twins(name, I, H, **config)
    gen = torch.Generator().manual_seed(3)
    inputs = [torch.randn(T, B, I, generator=gen, requires_grad=True)]
    if with_state:
        inputs += [torch.randn(s, generator=gen, requires_grad=True)
                   for s in _state_shapes(name, config)]

    def run(module, inputs, lib):
        packed = lib.nn.utils.rnn.pack_padded_sequence(inputs[0], lengths,
                                                       enforce_sorted=enforce_sorted)
        out, hidden = module(packed, _state_arg(name, inputs[1:]))
        assert type(out).__name__ == "PackedSequence"
        assert out.batch_sizes is packed.batch_sizes
        assert out.sorted_indices is packed.sorted_indices
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(out)
        return padded, hidden
    _compare(tm, em, name, inputs, run)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_dropout_one_over_packed_input(name):
    tm, em = _twins(name, I, H, num_layers=2, dropout=1.0)
    inputs = [torch.randn(T, B, I, requires_grad=True)]

    def run(module, inputs, lib):
        return module(lib.nn.utils.rnn.pack_padded_sequence(inputs[0], SORTED))
    _compare(tm, em, name, inputs, run)


@pytest.mark.parametrize("call", [
    lambda m, p: m.nn.GRU(I, H)(p, m.zeros(1, B + 1, H)),
    lambda m, p: m.nn.RNN(I + 1, H)(p),
    lambda m, p: m.nn.RNN(I, H)(m.nn.utils.rnn.PackedSequence(p.data[None], p.batch_sizes)),
    lambda m, p: m.nn.GRU(I, H)(m.nn.utils.rnn.PackedSequence(p.data.double(),
                                                                p.batch_sizes)),
], ids=range(4))
def test_packed_input_errors_match_torch(call):
    tx, ex = _padded((T, B, I))
    raises_like(lambda: call(torch, trnn.pack_padded_sequence(tx, SORTED)),
                lambda: call(ember, rnn.pack_padded_sequence(ex, SORTED)))


# -- LSTM proj_size on padded input ---------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("config", [{"proj_size": 2},
                                    {"proj_size": 3, "num_layers": 2, "bidirectional": True,
                                     "batch_first": True}])
@pytest.mark.parametrize("batched", [True, False])
def test_lstm_proj_size_matches_torch(config, batched):
    tm, em = _twins("LSTM", I, H, **config)
    layers = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    batch = (B,) if batched else ()
    x_shape = ((B, T) if config.get("batch_first") else (T, B)) if batched else (T,)
    inputs = [torch.randn(x_shape + (I,), requires_grad=True),
              torch.randn((layers,) + batch + (config["proj_size"],), requires_grad=True),
              torch.randn((layers,) + batch + (H,), requires_grad=True)]

    def run(module, inputs, lib):
        return module(inputs[0], tuple(inputs[1:]))
    _compare(tm, em, "LSTM", inputs, run)
    out, (h, c) = em(to_ember(inputs[0]))
    assert h.shape[-1] == config["proj_size"] and c.shape[-1] == H
    assert out.shape[-1] == config["proj_size"] * (2 if config.get("bidirectional") else 1)


def test_lstm_proj_size_weights_and_init():
    ember.manual_seed(0)
    m = nn.LSTM(I, H, proj_size=2, num_layers=2)
    assert m._flat_weights_names == torch.nn.LSTM(I, H, proj_size=2,
                                                  num_layers=2)._flat_weights_names
    assert [len(w) for w in m.all_weights] == [5, 5]
    bound = 1 / np.sqrt(H)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.all(np.abs(values) <= bound) and values.std() > bound / 3


def test_packed_lstm_state_sizes_are_checked():
    # torch 2.13's packed LSTM path skips these checks and fails later with "got an incorrect
    # number of RNN parameters"; ember checks as it does for padded input
    packed = rnn.pack_padded_sequence(ember.zeros(T, B, I), SORTED)
    lstm = nn.LSTM(I, H, proj_size=2)
    with pytest.raises(RuntimeError, match=r"hidden\[0\] size \(1, 4, 2\), got \[1, 4, 4\]"):
        lstm(packed, (ember.zeros(1, B, H), ember.zeros(1, B, H)))
    with pytest.raises(RuntimeError, match=r"hidden\[1\] size \(1, 4, 4\), got \[1, 4, 2\]"):
        lstm(packed, (ember.zeros(1, B, 2), ember.zeros(1, B, 2)))
    with pytest.raises(ValueError, match=r"RNN input dtype \(torch.float64\) does not match"):
        lstm(packed.double())
