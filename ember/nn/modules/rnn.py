"""Recurrent layers: RNN, LSTM, GRU and their single-step cells. A layer runs one op per layer
and direction over the whole sequence (ops/rnn.py); cells and packed input compose ember ops.

NOTE [ Packed sequences in RNNs ]
A PackedSequence holds, step after step, the rows of the sequences still running, longest first,
so the batch at each step is a prefix of the one before. The layers run such input step by step
with the same per-step cell as the cells use, on that shrinking prefix: a sequence that ends
leaves the batch with its final state, which becomes its h_n (c_n). The reverse direction runs
from the last step backwards, the batch growing as sequences start, each newcomer taking its
initial state. LSTM with proj_size (the fused LSTM layer op has no projection) takes this path too,
its padded batch seen as packed steps of the full batch.
"""
import math
import numbers
import warnings
from functools import partial

from ..._creation import empty, zeros
from ...ops import cat, stack
from ...ops.rnn import gru_layer, lstm_layer, rnn_layer
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
from ..._warnings import user_stacklevel

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one time step, given the input projection gi = W_ih x + b_ih ---------------------------------
# The input projection of a whole sequence is one matmul, so the steps take it precomputed.

def _rnn_tanh_step(gi, hx, w_hh, b_hh):
    return F.tanh(gi + F.linear(hx, w_hh, b_hh))


def _rnn_relu_step(gi, hx, w_hh, b_hh):
    return F.relu(gi + F.linear(hx, w_hh, b_hh))


def _lstm_step(gi, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = (gi + F.linear(h, w_hh, b_hh)).chunk(4, 1)
    c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(g)
    h = F.sigmoid(o) * F.tanh(c)
    return (h if w_hr is None else F.linear(h, w_hr)), c


def _gru_step(gi, hx, w_hh, b_hh):
    i_r, i_z, i_n = gi.chunk(3, 1)
    h_r, h_z, h_n = F.linear(hx, w_hh, b_hh).chunk(3, 1)
    r = F.sigmoid(i_r + h_r)
    z = F.sigmoid(i_z + h_z)
    n = F.tanh(i_n + r * h_n)
    return n + z * (hx - n)  # (1 - z) * n + z * h


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "GRU": _gru_step}


# -- packed input (NOTE [ Packed sequences in RNNs ]) -------------------------------------------
# A state is a tensor, or LSTM's (h, c) pair, with one row per sequence.

def _rows(state, start, stop):
    if isinstance(state, tuple):
        return tuple(s[start:stop] for s in state)
    return state[start:stop]


def _joined(parts):
    if isinstance(parts[0], tuple):
        return tuple(cat(p, 0) for p in zip(*parts))
    return cat(parts, 0)


def _hidden(state):
    return state[0] if isinstance(state, tuple) else state


def _packed_direction(step, gates, state, batch_sizes, reverse):
    """One direction of one layer over packed steps; gates[t] is step t's input projection.
    Returns each step's output, in time order, and every sequence's final state."""
    outputs = [None] * len(batch_sizes)
    if reverse:
        initial, size = state, batch_sizes[-1]
        if size < batch_sizes[0]:
            state = _rows(initial, 0, size)
        for t in range(len(batch_sizes) - 1, -1, -1):
            if batch_sizes[t] > size:  # sequences starting here join with their initial state
                state = _joined([state, _rows(initial, size, batch_sizes[t])])
                size = batch_sizes[t]
            state = step(gates[t], state)
            outputs[t] = _hidden(state)
        return outputs, state
    ended = []  # final states of the sequences that ended, the shortest first
    size = batch_sizes[0]
    for t, gi in enumerate(gates):
        if batch_sizes[t] < size:
            ended.append(_rows(state, batch_sizes[t], size))
            state = _rows(state, 0, batch_sizes[t])
            size = batch_sizes[t]
        state = step(gi, state)
        outputs[t] = _hidden(state)
    if ended:
        state = _joined([state] + ended[::-1])
    return outputs, state


def _permuted(hx, permutation):
    """A (layers, batch, size) state with its batch reordered (packed input's sorted order)."""
    return hx if permutation is None else hx.index_select(1, permutation)


def _check_type(name, value, kind):
    if not isinstance(value, kind):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent layer shared by RNN, LSTM and GRU."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}",
                          stacklevel=user_stacklevel())
        _check_type("bias", bias, bool)
        _check_type("batch_first", batch_first, bool)
        _check_type("input_size", input_size, int)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_type("hidden_size", hidden_size, int)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size

        gate_size = _GATES[mode] * hidden_size
        num_directions = 2 if bidirectional else 1
        output_size = proj_size if proj_size > 0 else hidden_size
        kwargs = {"device": device, "dtype": dtype}
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else output_size * num_directions
            for direction in range(num_directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size),
                          "weight_hh": (gate_size, output_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size > 0:
                    shapes.update(weight_hr=(proj_size, hidden_size))
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, **kwargs)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op: PyTorch packs the weights for cuDNN here; ember has nothing to pack."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks, with PyTorch's messages ----------------------------------------------------------

    def check_input(self, input, batch_sizes=None):
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3  # packed data is (steps x rows, I)
        if input.dim() != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def _state_size(self, input, batch_sizes, size):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, size)

    def get_expected_hidden_size(self, input, batch_sizes=None):
        return self._state_size(input, batch_sizes, self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def _batched(self, input, hx):
        """input (and hx) with the batch dim added for unbatched input; True if it was batched."""
        if input.dim() not in (2, 3):
            # PyTorch's RNN and GRU word this message differently
            what = "RNN: " if self.mode.startswith("RNN") else "GRU: "
            tail = " tensor instead" if self.mode.startswith("RNN") else " instead"
            raise ValueError(f"{what}Expected input to be 2D or 3D, got {input.dim()}D{tail}")
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        if hx is not None:
            if is_batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        return input, hx, is_batched

    def _zeros_state(self, input, batch_sizes=None, size=None):
        """Zeros for the initial state, of the given size (hidden_size by default)."""
        shape = self._state_size(input, batch_sizes, size or self.hidden_size)
        return zeros(shape, dtype=input.dtype, device=input.device)

    # -- the recurrence ---------------------------------------------------------------------------

    def _run(self, input, states):
        """Run every layer and direction over a sequence-first batched input; `states` holds one
        initial state per layer and direction (a tensor, or an (h, c) pair for LSTM). Returns
        the last layer's output and the final states in the same order."""
        num_directions = 2 if self.bidirectional else 1
        finals = []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                weights = [getattr(self, n) for n in names]
                w_ih, w_hh = weights[0], weights[1]
                b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
                state = states[layer * num_directions + direction]
                # one op for the whole sequence (ops/rnn.py)
                if self.mode == "LSTM":
                    out, h, c = lstm_layer(layer_input, w_ih, w_hh, b_ih, b_hh, *state,
                                           reverse=direction == 1)
                    outputs.append(out)
                    finals.append((h, c))
                    continue
                if self.mode == "GRU":
                    out, h = gru_layer(layer_input, w_ih, w_hh, b_ih, b_hh, state,
                                       reverse=direction == 1)
                else:
                    out, h = rnn_layer(layer_input, w_ih, w_hh, b_ih, b_hh, state,
                                       self.nonlinearity, reverse=direction == 1)
                outputs.append(out)
                finals.append(h)
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, finals

    def _layer_weights(self, layer, direction):
        """A layer direction's parameters by kind: weight_ih, weight_hh (, bias_ih, bias_hh,
        weight_hr)."""
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        return {name.split("_l")[0]: getattr(self, name) for name in names}

    def _run_packed(self, data, states, batch_sizes):
        """_run over packed data (rows of every step, (N, I)) with the given batch sizes (a list
        of ints): the last layer's packed output and the final states.
        NOTE [ Packed sequences in RNNs ]."""
        num_directions = 2 if self.bidirectional else 1
        finals = []
        layer_input = data
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                w = self._layer_weights(layer, direction)
                if self.mode == "LSTM":
                    step = partial(_lstm_step, w_hh=w["weight_hh"], b_hh=w.get("bias_hh"),
                                   w_hr=w.get("weight_hr"))
                else:
                    step = partial(_STEPS[self.mode], w_hh=w["weight_hh"], b_hh=w.get("bias_hh"))
                gates = F.linear(layer_input, w["weight_ih"], w.get("bias_ih")).split(batch_sizes)
                out, final = _packed_direction(step, gates,
                                               states[layer * num_directions + direction],
                                               batch_sizes, direction == 1)
                outputs.append(cat(out, 0))
                finals.append(final)
            layer_input = outputs[0] if num_directions == 1 else cat(outputs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, finals

    def _forward_single_state(self, input, hx):
        """RNN's and GRU's forward: one hidden tensor in, (output, h_n) out."""
        if isinstance(input, PackedSequence):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            if hx is None:
                hx = self._zeros_state(data, batch_sizes)
            else:
                hx = _permuted(hx, sorted_indices)
            self.check_forward_args(data, hx, batch_sizes)
            output, finals = self._run_packed(data, hx.unbind(0), batch_sizes.tolist())
            h_n = _permuted(stack(finals, 0), unsorted_indices)
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), h_n
        input, hx, is_batched = self._batched(input, hx)
        if hx is None:
            hx = self._zeros_state(input)
        self.check_forward_args(input, hx)
        output, finals = self._forward(input, hx.unbind(0))
        h_n = stack(finals, 0)
        if not is_batched:
            output, h_n = output.squeeze(0 if self.batch_first else 1), h_n.squeeze(1)
        return output, h_n

    def _forward(self, input, states):
        if self.batch_first:
            input = input.transpose(0, 1)
        if self.proj_size:  # NOTE [ Packed sequences in RNNs ]
            steps, batch = input.shape[:2]
            output, finals = self._run_packed(input.reshape(steps * batch, -1), states,
                                              [batch] * steps)
            output = output.reshape(steps, batch, -1)
        else:
            output, finals = self._run(input, states)
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, finals


class RNN(RNNBase):
    """An Elman RNN, h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu), stacked."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_single_state(input, hx)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit; gates ordered (reset, update, new) as in PyTorch."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_single_state(input, hx)


class LSTM(RNNBase):
    """A multi-layer long short-term memory; gates ordered (input, forget, cell, output)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_hidden_size(self, input, batch_sizes=None):
        return self._state_size(input, batch_sizes, self.proj_size or self.hidden_size)

    def get_expected_cell_size(self, input, batch_sizes=None):
        return self._state_size(input, batch_sizes, self.hidden_size)

    def _zeros_states(self, input, batch_sizes=None):
        return (self._zeros_state(input, batch_sizes, self.proj_size or self.hidden_size),
                self._zeros_state(input, batch_sizes))

    def check_forward_args(self, input, hidden, batch_sizes=None):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        if hx is None:
            hx = self._zeros_states(input)
        else:
            dims = (hx[0].dim(), hx[1].dim())
            if is_batched and dims != (3, 3):
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got "
                                   f"({dims[0]}-D, {dims[1]}-D) tensors")
            if not is_batched:
                if dims != (2, 2):
                    raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D "
                                       f"but got ({dims[0]}-D, {dims[1]}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx)
        output, finals = self._forward(input, list(zip(hx[0].unbind(0), hx[1].unbind(0))))
        h_n = stack([h for h, _ in finals], 0)
        c_n = stack([c for _, c in finals], 0)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)

    def _forward_packed(self, packed, hx):
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if hx is None:
            hx = self._zeros_states(data, batch_sizes)
        else:
            hx = (_permuted(hx[0], sorted_indices), _permuted(hx[1], sorted_indices))
        self.check_forward_args(data, hx, batch_sizes)
        output, finals = self._run_packed(data, list(zip(hx[0].unbind(0), hx[1].unbind(0))),
                                          batch_sizes.tolist())
        h_n = _permuted(stack([h for h, _ in finals], 0), unsorted_indices)
        c_n = _permuted(stack([c for _, c in finals], 0), unsorted_indices)
        return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                (h_n, c_n))


class RNNCellBase(Module):
    """The weights and checks shared by the single-step cells."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kwargs = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kwargs))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kwargs))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kwargs))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, hx, n_hidden):
        """input and the hidden tensors as 2-D (batch first), checked as PyTorch's cells check
        them; hx is None or a tuple of n_hidden tensors. Returns (input, hx, is_batched)."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    what = "hidden" if n_hidden == 1 else f"hx[{idx}]"
                    raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got "
                                     f"{value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            h0 = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (h0,) * n_hidden
        elif not is_batched:
            hx = tuple(h.unsqueeze(0) for h in hx)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                               f"expected {self.input_size}")
        for idx, h in enumerate(hx):
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match "
                                   f"hidden{idx} batch size {h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{idx} has inconsistent hidden_size: got {h.size(1)}, "
                                   f"expected {self.hidden_size}")
        return input, hx, is_batched

    def _gates_in(self, input):
        return F.linear(input, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._batched(input, None if hx is None else (hx,), 1)
        if self.nonlinearity == "tanh":
            step = _rnn_tanh_step
        elif self.nonlinearity == "relu":
            step = _rnn_relu_step
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        ret = step(self._gates_in(input), hx, self.weight_hh, self.bias_hh)
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, is_batched = self._batched(input, None if hx is None else tuple(hx), 2)
        h, c = _lstm_step(self._gates_in(input), hx, self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) * n + z * h."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (hx,), is_batched = self._batched(input, None if hx is None else (hx,), 1)
        ret = _gru_step(self._gates_in(input), hx, self.weight_hh, self.bias_hh)
        return ret if is_batched else ret.squeeze(0)
