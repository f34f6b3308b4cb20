"""A representative slice of ember on device='cuda': the real GPU where there is one, else the
NumPy-backed fake CuPy (tests/_fake_cupy.py), whose device arrays refuse NumPy functions and host
arrays, so a NumPy-only code path on this slice fails here rather than on a GPU."""
import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

pytestmark = pytest.mark.usefixtures("cuda")


def _data(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _both(array, requires_grad=False):
    """The same values on the CPU and on the GPU."""
    return (ember.tensor(array, requires_grad=requires_grad),
            ember.tensor(array, device="cuda", requires_grad=requires_grad))


def _same(cuda_tensor, cpu_tensor, rtol=1e-5, atol=1e-6):
    assert cuda_tensor.device == ember.device("cuda:0")
    assert cuda_tensor.dtype == cpu_tensor.dtype
    np.testing.assert_allclose(cuda_tensor.detach().cpu().numpy(), cpu_tensor.detach().numpy(),
                               rtol=rtol, atol=atol)


def test_device_objects():
    d = ember.device("cuda:0")
    assert d.type == "cuda" and d.index == 0 and str(d) == "cuda:0"
    assert ember.device("cuda", 0) == d and ember.device(0) == d
    assert ember.cuda.is_available() and ember.cuda.device_count() >= 1


def test_creation_on_device():
    for t in (ember.zeros(2, 3, device="cuda"), ember.ones(4, device="cuda:0"),
              ember.full((2,), 1.5, device=ember.device("cuda")), ember.empty(3, device="cuda"),
              ember.arange(5, device="cuda"), ember.eye(3, device="cuda"),
              ember.tensor([[1, 2]], device="cuda"), ember.linspace(0, 1, 4, device="cuda")):
        assert t.is_cuda and not t.is_cpu and t.get_device() == 0 and t.device.type == "cuda"
    _same(ember.full((2, 2), 7, device="cuda"), ember.full((2, 2), 7))
    x = ember.ones(2, 3, device="cuda", dtype=ember.float64)
    for like in (ember.zeros_like(x), ember.ones_like(x), ember.empty_like(x),
                 ember.full_like(x, 2.0), ember.rand_like(x), ember.randn_like(x)):
        assert like.is_cuda and like.dtype == ember.float64 and like.shape == x.shape


def test_random_on_device_follows_its_seed():
    ember.cuda.manual_seed(3)
    a = ember.randn(5, device="cuda")
    ember.cuda.manual_seed(3)
    b = ember.randn(5, device="cuda")
    _same(a, b.cpu())
    ember.manual_seed(4)  # seeds every device
    c = ember.rand(3, device="cuda")
    ember.manual_seed(4)
    _same(c, ember.rand(3, device="cuda").cpu())
    assert ember.randint(0, 5, (4,), device="cuda").is_cuda
    assert ember.randperm(6, device="cuda").is_cuda
    assert ember.bernoulli(ember.full((8,), 0.5, device="cuda")).is_cuda
    w = ember.empty(3, 4, device="cuda")
    nn.init.uniform_(w, -1, 1)
    assert w.is_cuda and float(w.abs().max()) <= 1.0


def test_arithmetic_broadcasting_and_reductions():
    (a, ac), (b, bc) = _both(_data(3, 4)), _both(_data(4, seed=1))
    _same((ac * 2 + bc) / 3 - ac.exp(), (a * 2 + b) / 3 - a.exp())
    _same(ac.sum(1), a.sum(1))
    _same(ac.mean(), a.mean())
    _same(ac.max(0).values, a.max(0).values)
    _same(ac.argmax(1), a.argmax(1))
    _same(ac.softmax(-1), a.softmax(-1))
    _same(ac.t() @ ac, a.t() @ a)
    _same(ember.cat([ac, ac], 0), ember.cat([a, a], 0))
    _same(ac.reshape(2, 6).transpose(0, 1).contiguous(), a.reshape(2, 6).transpose(0, 1))
    _same(ac[1:, ::2], a[1:, ::2])
    assert isinstance(ac.sum().item(), float)


def test_zero_dim_cpu_tensor_joins_a_cuda_op():
    a, ac = _both(_data(3))
    _same(ac * ember.tensor(2.0), a * 2.0)


def test_mixing_devices_raises():
    x, y = ember.ones(3, device="cuda"), ember.ones(3)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but "
                                           "found at least two devices"):
        x + y
    with pytest.raises(RuntimeError, match="same device"):
        ember.matmul(ember.ones(2, 3), ember.ones(3, 2, device="cuda"))


def test_numpy_needs_cpu_first():
    x = ember.ones(2, device="cuda")
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy\. Use "
                                        r"Tensor\.cpu\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match="cuda:0 device type tensor"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 1.0]


def test_moves_between_devices():
    a = ember.tensor(_data(2, 3))
    ac = a.cuda()
    assert ac.is_cuda and ac.cuda() is ac and ac.to("cuda:0") is ac
    back = ac.cpu()
    assert back.is_cpu and np.array_equal(back.numpy(), a.numpy())
    assert a.to(ac).is_cuda and ac.to(a).is_cpu
    assert a.to("cuda", ember.float64).dtype == ember.float64
    assert ac.to(device="cpu", dtype=ember.float16).is_cpu
    x = ember.tensor(_data(3), requires_grad=True)
    (x.cuda() * 2).sum().backward()  # the gradient comes back to the CPU leaf
    assert x.grad.is_cpu and np.allclose(x.grad.numpy(), 2.0)


def test_printing_names_the_device():
    assert repr(ember.tensor([1.0, 2.0], device="cuda")) == \
        "tensor([1., 2.], device='cuda:0')"
    assert repr(ember.tensor([1, 2], dtype=ember.int32, device="cuda")) == \
        "tensor([1, 2], device='cuda:0', dtype=torch.int32)"
    y = ember.tensor([0.5], device="cuda", requires_grad=True) * 2
    assert repr(y) == "tensor([1.], device='cuda:0', grad_fn=<MulBackward0>)"


def test_matmul_backward_and_double_backward():
    (a, ac), (b, bc) = _both(_data(3, 4), True), _both(_data(4, 2, seed=1), True)
    (a @ b).tanh().sum().backward()
    (ac @ bc).tanh().sum().backward()
    _same(ac.grad, a.grad, rtol=1e-4)
    _same(bc.grad, b.grad, rtol=1e-4)
    x, xc = _both(_data(5), True)
    (g,) = ember.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (gc,) = ember.autograd.grad((xc ** 3).sum(), xc, create_graph=True)
    _same(gc, g)
    g.sum().backward()
    gc.sum().backward()
    _same(xc.grad, x.grad, rtol=1e-4)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_op_with_gradients(causal):
    """scaled_dot_product_attention's one-op path (ember/ops/attention.py) on the device, first
    and second order."""
    pairs = [_both(_data(1, 2, 3, 4, seed=s), True) for s in range(3)]
    outs = []
    for i in (0, 1):
        q, k, v = (p[i] for p in pairs)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        first = ember.autograd.grad((out * out).sum(), (q, k, v), create_graph=True)
        sum((g * g).sum() for g in first).backward()
        outs.append([out, *first, q.grad, k.grad, v.grad])
    for cpu_t, cuda_t in zip(*outs):
        _same(cuda_t, cpu_t, rtol=1e-4, atol=1e-5)


def test_conv_pool_and_cross_entropy_with_gradients():
    (x, xc), (w, wc) = _both(_data(2, 3, 8, 8), True), _both(_data(4, 3, 3, 3, seed=1), True)
    (b, bc), target = _both(_data(4, seed=2), True), np.array([1, 3])

    def loss(m_x, m_w, m_b, device):
        h = F.max_pool2d(F.relu(F.conv2d(m_x, m_w, m_b, padding=1)), 2)
        return F.cross_entropy(h.mean((2, 3)), ember.tensor(target, device=device))

    lc, l_cpu = loss(xc, wc, bc, "cuda"), loss(x, w, b, "cpu")
    _same(lc, l_cpu)
    lc.backward()
    l_cpu.backward()
    for got, want in ((xc, x), (wc, w), (bc, b)):
        _same(got.grad, want.grad, rtol=1e-4, atol=1e-5)


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        # No conv bias before BatchNorm (which cancels it): its gradient would be rounding noise,
        # which Adam turns into full-size steps of either sign on each device.
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc = nn.Linear(4 * 3 * 3, 5)
        self.drop = nn.Dropout(0.25)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        return self.fc(self.drop(ember.flatten(x, 1)))


@pytest.mark.parametrize("make_opt", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
    lambda p: optim.Adam(p, lr=0.01)], ids=["SGD", "Adam"])
def test_training_steps_match_the_cpu(make_opt):
    x, target = _data(4, 3, 8, 8), np.array([0, 4, 2, 1])
    results = {}
    for device in ("cpu", "cuda"):
        ember.manual_seed(0)
        net = _Net()
        net.to(device)
        assert all(p.device.type == device for p in net.parameters())
        assert all(b.device.type == device for b in net.buffers())
        opt = make_opt(net.parameters())
        sched = optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        inputs = ember.tensor(x, device=device)
        labels = ember.tensor(target, device=device)
        for _ in range(3):
            ember.manual_seed(1)  # the same dropout masks on both devices
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(net(inputs), labels)
            loss.backward()
            opt.step()
            sched.step()
        for state in opt.state.values():
            for v in state.values():
                if isinstance(v, ember.Tensor) and v.dim():
                    assert v.device.type == device
        results[device] = net
    for (name, pc), p in zip(results["cuda"].state_dict().items(),
                             results["cpu"].state_dict().values()):
        _same(pc, p, rtol=1e-4, atol=1e-5)


def test_module_moves_and_keeps_parameter_identity():
    net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = net[0].weight
    assert net.cuda() is net and net[0].weight is weight and weight.is_cuda
    assert net[1].running_mean.is_cuda
    out = net(ember.ones(4, 3, device="cuda"))
    out.sum().backward()
    assert weight.grad.is_cuda
    net.cpu()
    assert weight.is_cpu and weight.grad.is_cpu


def test_save_and_load_restore_the_device():
    net = nn.Linear(3, 2).cuda()
    buf = io.BytesIO()
    ember.save({"state": net.state_dict(), "step": ember.tensor(3)}, buf)
    buf.seek(0)
    back = ember.load(buf)
    assert back["state"]["weight"].is_cuda and back["step"].is_cpu
    _same(back["state"]["weight"], net.weight.detach().cpu())
    buf.seek(0)
    assert ember.load(buf, map_location="cpu")["state"]["weight"].is_cpu
    buf.seek(0)
    assert ember.load(buf, map_location={"cuda:0": "cpu"})["state"]["bias"].is_cpu
    buf.seek(0)
    on_cpu = ember.load(buf, map_location=lambda t, location: t.cpu())
    assert on_cpu["state"]["weight"].is_cpu
    other = nn.Linear(3, 2).cuda()
    other.load_state_dict(back["state"])
    assert other.weight.is_cuda


def test_pinned_memory_copies_to_the_device():
    t = ember.tensor(_data(2, 3))
    assert not t.is_pinned()
    p = t.pin_memory()
    assert p.is_pinned() and p.is_cpu and p.pin_memory() is p
    assert np.array_equal(p.numpy(), t.numpy())
    _same(p.cuda(non_blocking=True), t)
    with pytest.raises(RuntimeError, match="only dense CPU tensors can be pinned"):
        ember.ones(2, device="cuda").pin_memory()


def test_gpu_benchmark_network_trains_like_torch():
    """benchmarks/bench_gpu.py's loss check, with torch on the CPU: the tutorial network gets
    torch's weights and both take the same two steps."""
    torch = pytest.importorskip("torch")
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_gpu.py"
    spec = importlib.util.spec_from_file_location("bench_gpu", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ok, ember_losses, torch_losses = bench.check_same_losses(torch, bench.cifar_net, 4,
                                                             torch_device="cpu")
    assert ok, (ember_losses, torch_losses)
