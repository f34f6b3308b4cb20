"""Bad input: torch's exception type and message, and the model left exactly as it was."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim

from ._helpers import assert_unchanged, copy_weights, raises_like, snapshot
from ._networks import cifar_net, lenet


def test_wrong_number_of_channels(torch):
    t, e = cifar_net(torch), cifar_net(ember)
    copy_weights(t, e)
    before = snapshot(e)
    err = raises_like(lambda: t(torch.zeros(4, 1, 32, 32)), lambda: e(ember.zeros(4, 1, 32, 32)))
    assert "expected input[4, 1, 32, 32] to have 3 channels, but got 1 channels instead" in \
        str(err)
    assert_unchanged(e, before)


def test_linear_input_of_the_wrong_width(torch):
    """A LeNet whose fc1 expects 256 features gets the 400 that 32x32 images give."""
    t, e = lenet(torch, fc1_in=256), lenet(ember, fc1_in=256)
    copy_weights(t, e)
    before = snapshot(e)
    err = raises_like(lambda: t(torch.zeros(4, 1, 32, 32)), lambda: e(ember.zeros(4, 1, 32, 32)))
    assert str(err) == "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)"
    assert_unchanged(e, before)


@pytest.mark.parametrize("x_shape,w_shape", [((), (3, 5)), ((5,), ()), ((2, 5), ())])
def test_linear_of_a_0d_operand(torch, x_shape, w_shape):
    x, w, b = np.ones(x_shape, np.float32), np.ones(w_shape, np.float32), np.ones(3, np.float32)

    def linear(lib):
        return lambda: lib.nn.functional.linear(lib.tensor(x), lib.tensor(w), lib.tensor(b))
    raises_like(linear(torch), linear(ember))


def test_load_state_dict_with_missing_unexpected_and_misshaped_entries(torch):
    t, e = lenet(torch), lenet(ember)
    copy_weights(t, e)
    before = snapshot(e)
    bad = {k: v.clone() for k, v in lenet(torch).state_dict().items()}
    del bad["fc3.bias"]
    bad["fc4.weight"] = torch.zeros(2, 2)
    bad["conv1.weight"] = torch.zeros(6, 1, 3, 3)
    bad["fc1.weight"] = torch.zeros(120, 256)
    err = raises_like(lambda: t.load_state_dict(bad),
                      lambda: e.load_state_dict({k: ember.tensor(v.numpy())
                                                 for k, v in bad.items()}))
    message = str(err)
    assert message.startswith("Error(s) in loading state_dict for Net:\n\tMissing key(s) in "
                              'state_dict: "fc3.bias". \n\tUnexpected key(s) in state_dict: '
                              '"fc4.weight". \n\tsize mismatch for conv1.weight: copying a '
                              "param with shape torch.Size([6, 1, 3, 3]) from checkpoint")
    assert "size mismatch for fc1.weight" in message
    assert_unchanged(e, before)  # conv2, fc2 ... were valid but are not copied either


def test_cross_entropy_target_out_of_range_leaves_model_and_optimizer_untouched(torch):
    t, e = cifar_net(torch), cifar_net(ember)
    copy_weights(t, e)
    e_opt = optim.SGD(e.parameters(), lr=0.1, momentum=0.9)
    before = snapshot(e)
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    bad_target = [1, 2, 10, 0]

    def step(lib, model):
        loss = lib.nn.CrossEntropyLoss()(model(lib.tensor(x)), lib.tensor(bad_target))
        loss.backward()

    raises_like(lambda: step(torch, t), lambda: step(ember, e))
    assert all(p.grad is None for p in e.parameters())
    e_opt.step()  # nothing to do without gradients
    assert_unchanged(e, before)
    assert len(e_opt.state) == 0


def test_optimizer_refuses_bad_parameters(torch):
    m = nn.Linear(2, 2)
    raises_like(lambda: torch.optim.SGD([], lr=0.1), lambda: optim.SGD([], lr=0.1))
    raises_like(lambda: torch.optim.SGD([torch.ones(2, requires_grad=True) * 3], lr=0.1),
                lambda: optim.SGD([ember.ones(2, requires_grad=True) * 3], lr=0.1))
    raises_like(lambda: torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), lr=-0.1),
                lambda: optim.Adam(m.parameters(), lr=-0.1))
    err = raises_like(lambda: torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=-0.1),
                      lambda: optim.SGD(m.parameters(), lr=-0.1))
    assert str(err) == "Invalid learning rate: -0.1"


def test_first_layer_weight_updated_between_forward_and_backward():
    """torch saves a weight only for its input's gradient: a first layer (input needs no grad)
    may be updated in place under no_grad before backward, as some training loops do."""
    lin = ember.nn.Linear(3, 2)
    y = lin(ember.ones(4, 3)).sum()
    with ember.no_grad():
        lin.weight.add_(1.0)
    y.backward()
    assert lin.bias.grad.tolist() == [4.0, 4.0]
    assert lin.weight.grad.tolist() == [[4.0] * 3] * 2
    x = ember.ones(4, 3, requires_grad=True)  # here the weight is needed: torch raises too
    y = lin(x).sum()
    with ember.no_grad():
        lin.weight.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@pytest.mark.parametrize("shape, kwargs", [
    ((2, 2, 1), dict(scale_factor=0.5)),
    ((1, 2, 1, 2), dict(scale_factor=[0.5, 1.5], mode="bilinear", align_corners=True)),
    ((1, 1, 3), dict(size=0)),
    ((1, 1, 1, 2, 2), dict(scale_factor=0.5, mode="trilinear")),
    ((1, 1, 2, 1), dict(scale_factor=0.4, mode="bicubic")),
    ((1, 1, 0, 2), dict(size=(2, 2))),
])
def test_interpolate_to_or_from_an_empty_size(torch, shape, kwargs):
    """torch's upsampling kernels refuse an empty input or output size (a scale that floors a
    size to 0) with their own message; ember returned an empty tensor (nn-level fuzzing)."""
    def call(m):
        return m.nn.functional.interpolate(m.ones(shape), **kwargs)
    raises_like(lambda: call(torch), lambda: call(ember))


def test_interpolate_area_to_an_empty_size_is_an_empty_tensor(torch):
    """'area' pools adaptively, which takes an empty output, as in torch."""
    for lib in (ember, torch):
        y = lib.nn.functional.interpolate(lib.ones(1, 1, 1), scale_factor=0.5, mode="area")
        assert tuple(y.shape) == (1, 1, 0)


@pytest.mark.parametrize("nd, shape, out", [(1, (1, 1, 3), 0), (2, (2, 1, 2, 1), (6, 0)),
                                            (3, (1, 1, 1, 2, 2), (0, 1, 1)),
                                            (2, (1, 2, 2), (0, 1))])
def test_adaptive_avg_pool_backward_of_an_empty_output(torch, nd, shape, out):
    """The forward pools into an empty output; torch's backward kernel refuses the empty
    gradient (interpolate's 'area' mode reaches it; nn-level fuzzing)."""
    def call(m):
        x = m.ones(shape, requires_grad=True)
        getattr(m.nn.functional, f"adaptive_avg_pool{nd}d")(x, out).sum().backward()
    raises_like(lambda: call(torch), lambda: call(ember))


@pytest.mark.parametrize("call", [
    # F.group_norm's check that a group holds more than one value (torch.group_norm has none)
    lambda m: m.nn.functional.group_norm(m.ones(1, 3, 1), 3),
    lambda m: m.nn.GroupNorm(2, 2)(m.ones(1, 2)),
    # rms_norm's own checks, before the shape check (a ValueError there)
    lambda m: m.nn.functional.rms_norm(m.ones(3), (3, 1)),
    lambda m: m.nn.functional.rms_norm(m.tensor(1.0), (1,)),
    lambda m: m.nn.functional.rms_norm(m.ones(2, 3), (2,)),
    lambda m: m.nn.functional.rms_norm(m.ones(3), []),
    # reflect/replicate padding refuses a zero size outside a batched input's batch dim
    lambda m: m.nn.functional.pad(m.ones(2, 0, 3), (1, 1), mode="reflect"),
    lambda m: m.nn.functional.pad(m.ones(0, 3), (1, 1), mode="replicate"),
    lambda m: m.nn.functional.pad(m.ones(1, 1, 0, 2), (1, 1, 1, 1), mode="replicate"),
])
def test_norm_and_pad_checks_as_torch(torch, call):
    """Found by the nn-level fuzzer: ember computed these (or raised another class)."""
    raises_like(lambda: call(torch), lambda: call(ember))


def test_norm_and_pad_accept_what_torch_accepts(torch):
    for call in (lambda m: m.nn.functional.group_norm(m.ones(2, 4, 1), 4),
                 lambda m: m.nn.functional.pad(m.ones(0, 2, 3), (1, 1), mode="reflect"),
                 lambda m: m.nn.functional.pad(m.ones(2, 0, 3), (1, 1), mode="circular")):
        assert tuple(call(ember).shape) == tuple(call(torch).shape)


def test_lbfgs_on_an_empty_parameter_raises_torchs_error(torch):
    def step(m):
        p = m.zeros(0, 3, requires_grad=True)
        opt = m.optim.LBFGS([p])

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        return opt.step(closure)
    raises_like(lambda: step(torch), lambda: step(ember))


def test_batch_norm_running_statistics_in_an_expanded_tensor(torch):
    """Channels sharing one running mean: each channel's update reads the one before it wrote,
    as torch's kernel does on one thread (on several its channels race; ember's in-place update
    refused the read-only memory)."""
    got = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for m in (ember, torch):
            mean, var = m.tensor([3.0]).expand(3), m.tensor([2.0, 1.0, 4.0])
            x = m.tensor(np.arange(12.0, dtype=np.float32).reshape(4, 3))
            m.nn.functional.batch_norm(x, mean, var, training=True, momentum=0.3)
            got.append((mean.tolist(), var.tolist()))
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_allclose(got[0], got[1], rtol=1e-6)


def test_circular_pad_past_what_a_negative_pad_leaves(torch):
    """Circular padding wraps what the other side's negative pad leaves: a wrap longer than that
    is refused (ember's NumPy raised, or padded silently; torch's result there is undefined),
    and a negative result size raises torch's error."""
    raises_like(lambda: torch.nn.functional.pad(torch.ones(1, 1, 4), (-3, -2), mode="circular"),
                lambda: ember.nn.functional.pad(ember.ones(1, 1, 4), (-3, -2), mode="circular"))
    for shape, pads in (((1, 1, 4), (-3, 2)), ((1, 1, 4), (-1, 4)), ((1, 1, 2, 4), (-2, -1, -2, 1))):
        with pytest.raises(RuntimeError, match="wrapping around more than once"):
            ember.nn.functional.pad(ember.ones(*shape), pads, mode="circular")
    x = np.arange(24.0).reshape(1, 2, 3, 4)
    got, want = (m.nn.functional.pad(m.tensor(x), (-1, 2, 1, -2), mode="circular").numpy()
                 for m in (ember, torch))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("x_dtype, stats_dtype, weight_dtype", [
    ("float64", "float32", None),     # all inputs must share one datatype
    ("float32", "float64", None),     # a parameter must then be float32
    ("float64", "float64", "float32"),
    ("float32", None, "float64"),
])
def test_batch_norm_refuses_mixed_dtypes_as_torch(torch, x_dtype, stats_dtype, weight_dtype):
    """torch's CPU batch norm mixes dtypes only as float32 parameters beside a float16 input;
    ember computed any mix (found while fixing the nn-level fuzzer's findings)."""
    def call(m):
        stats = None if stats_dtype is None else m.zeros(3, dtype=getattr(m, stats_dtype))
        weight = None if weight_dtype is None else m.ones(3, dtype=getattr(m, weight_dtype))
        return m.nn.functional.batch_norm(m.ones(4, 3, dtype=getattr(m, x_dtype)), stats,
                                          None if stats is None else stats + 1, weight,
                                          training=True)
    raises_like(lambda: call(torch), lambda: call(ember))


def test_batch_norm_takes_float32_parameters_beside_float16_input(torch):
    for m in (ember, torch):
        y = m.nn.functional.batch_norm(m.ones(4, 3, dtype=m.float16), m.zeros(3), m.ones(3),
                                       m.ones(3), m.zeros(3), training=True)
        assert y.dtype == m.float16
