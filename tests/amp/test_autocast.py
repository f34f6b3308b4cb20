"""autocast on CPU: the lower-precision list runs in float16, the float32 list in float32, the rest
as given; against torch's CPU autocast."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F


def _pair(torch, *shape, dtype="float32"):
    a = np.random.randn(*shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


CASES = {
    "linear": lambda m, x, w, b: m.nn.functional.linear(x, w, b),
    "linear_3d": lambda m, x, w, b: m.nn.functional.linear(x.reshape(2, 2, 3), w, b),
    "matmul": lambda m, x, w, b: m.matmul(x.reshape(2, 2, 3), w.t()),
    "mm": lambda m, x, w, b: m.mm(x, w.t()),
    "addmm": lambda m, x, w, b: m.addmm(b, x, w.t()),
    "bmm": lambda m, x, w, b: m.bmm(x.reshape(2, 2, 3), w.t().expand(2, 3, 5)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_lower_precision_ops_match_torch(torch, case):
    (x, tx), (w, tw), (b, tb) = _pair(torch, 4, 3), _pair(torch, 5, 3), _pair(torch, 5)
    with ember.autocast("cpu", dtype=ember.float16):
        y = CASES[case](ember, x, w, b)
        z = y * 2.0
    with torch.autocast("cpu", dtype=torch.float16):
        ty = CASES[case](torch, tx, tw, tb)
        tz = ty * 2.0
    assert str(y.dtype) == str(ty.dtype) == "torch.float16" and str(z.dtype) == str(tz.dtype)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=2e-3, atol=2e-3)
    z.float().sum().backward()
    tz.float().sum().backward()
    for e, t in ((x, tx), (w, tw)):
        assert e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=2e-3, atol=2e-3)


def test_conv_and_float32_list(torch):
    (x, tx), (w, tw) = _pair(torch, 1, 2, 5, 5), _pair(torch, 3, 2, 3, 3)
    target = np.random.randn(1, 3, 3, 3).astype("float32")
    with ember.autocast("cpu", dtype=ember.float16):
        y = F.conv2d(x, w)
        r = F.relu(y)
        loss = F.mse_loss(r, ember.tensor(target))
    with torch.autocast("cpu", dtype=torch.float16):
        ty = torch.nn.functional.conv2d(tx, tw)
        tr = torch.nn.functional.relu(ty)
        tloss = torch.nn.functional.mse_loss(tr, torch.tensor(target))
    assert [str(t.dtype) for t in (y, r, loss)] == [str(t.dtype) for t in (ty, tr, tloss)] == \
        ["torch.float16", "torch.float16", "torch.float32"]
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=2e-3)
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=5e-3, atol=5e-3)


def test_disabled_float64_and_exit_change_nothing():
    x, w = ember.randn(4, 3), ember.randn(5, 3)
    with ember.autocast("cpu", dtype=ember.float16, enabled=False):
        assert F.linear(x, w).dtype == ember.float32
    with ember.amp.autocast("cpu", dtype=ember.float16):
        with ember.autocast("cpu", enabled=False):
            assert ember.mm(x, w.t()).dtype == ember.float32
            assert not ember.amp.is_autocast_enabled("cpu")
        assert ember.mm(x, w.t()).dtype == ember.float16
        assert ember.mm(x.double(), w.double().t()).dtype == ember.float64
        assert ember.amp.is_autocast_enabled("cpu")
        assert ember.amp.get_autocast_dtype("cpu") == ember.float16
    assert ember.mm(x, w.t()).dtype == ember.float32
    assert not ember.amp.is_autocast_enabled("cpu")


def test_decorator_form():
    @ember.autocast("cpu", dtype=ember.float16)
    def f(a, b):
        return a @ b

    assert f(ember.randn(2, 3), ember.randn(3, 2)).dtype == ember.float16
    assert (ember.randn(2, 3) @ ember.randn(3, 2)).dtype == ember.float32


def _casts(t):
    """The ToCopyBackward0 nodes reachable from t's grad_fn."""
    seen, stack = [], [t.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if type(node).__name__ == "ToCopyBackward0":
            seen.append(node)
        stack.extend(n for n, _ in node.next_functions)
    return seen


@pytest.mark.parametrize("cache", [True, False])
def test_weight_casts_cached_in_a_region(cache):
    conv = ember.nn.Conv2d(2, 3, 3, bias=False)
    x = ember.randn(1, 2, 4, 4)
    with ember.autocast("cpu", dtype=ember.float16, cache_enabled=cache):
        a, b = conv(x), conv(x)
    assert len(_casts(a)) == 1
    same = {id(n) for n in _casts(a)} == {id(n) for n in _casts(b)}
    assert same is cache


def test_legacy_paths_and_unsupported_dtypes():
    with pytest.warns(FutureWarning, match="torch.amp.autocast\\('cpu'"):
        ctx = ember.cpu.amp.autocast(dtype=ember.float16)
    with ctx:
        assert ember.mm(ember.ones(2, 2), ember.ones(2, 2)).dtype == ember.float16
    with pytest.warns(UserWarning, match="CUDA is not available"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            ctx = ember.cuda.amp.autocast()
    with ctx:
        assert ember.mm(ember.ones(2, 2), ember.ones(2, 2)).dtype == ember.float32
    with pytest.warns(UserWarning, match="bfloat16 is not supported by ember"):
        ctx = ember.autocast("cpu")  # CPU's default, bfloat16, which NumPy lacks
    with ctx:
        assert ember.mm(ember.ones(2, 2), ember.ones(2, 2)).dtype == ember.float32
    with pytest.raises(RuntimeError, match="unsupported autocast device_type"):
        ember.autocast("tpu")
    assert ember.autocast is ember.amp.autocast


def test_layers_stacked_take_float16_activations(torch):
    """The second layer gets float16 activations and float32 weights: autocast casts both."""
    x_np = np.random.randn(2, 2, 6, 6).astype("float32")
    nets = []
    for m in (ember, torch):
        m.manual_seed(0)
        nets.append(m.nn.Sequential(m.nn.Conv2d(2, 3, 3), m.nn.ReLU(), m.nn.Conv2d(3, 2, 3),
                                    m.nn.Flatten(), m.nn.Linear(8, 4), m.nn.ReLU(),
                                    m.nn.Linear(4, 2)))
    nets[0].load_state_dict({k: ember.tensor(v.numpy()) for k, v in nets[1].state_dict().items()})
    with ember.autocast("cpu", dtype=ember.float16):
        y = nets[0](ember.tensor(x_np))
    with torch.autocast("cpu", dtype=torch.float16):
        ty = nets[1](torch.tensor(x_np))
    assert str(y.dtype) == str(ty.dtype) == "torch.float16"
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-2, atol=1e-2)
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.mm(ember.ones(2, 2, dtype=ember.float16), ember.ones(2, 2))  # outside a region


@pytest.fixture
def fake_cuda():
    """ember with the NumPy-backed fake CuPy as its CUDA module (no GPU needed)."""
    from tests import _fake_cupy
    previous = _fake_cupy.install()
    yield
    _fake_cupy.uninstall(previous)


def test_a_region_casts_only_its_device_type(fake_cuda):
    a, b = ember.ones(2, 2), ember.ones(2, 2, device="cuda")
    with ember.autocast("cuda"):  # float16 by default on CUDA
        assert ember.mm(b, b).dtype == ember.float16
        assert ember.mm(a, a).dtype == ember.float32
        assert ember.is_autocast_enabled() and not ember.amp.is_autocast_enabled("cpu")
    scaler = ember.amp.GradScaler()  # CUDA is there: enabled, no warning
    assert scaler.is_enabled()
