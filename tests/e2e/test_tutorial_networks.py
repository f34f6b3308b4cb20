"""The tutorial's two networks trained side by side with torch from the same weights and data.

LeNet (1x32x32, MSE against a random target, as in the tutorial) and the CIFAR-10 network
(3x32x32, cross entropy), 20 steps at batch 4 with each optimizer: every loss, and every final
weight tensor, equals torch's within 1e-4 relative.

In float32 the weights are compared by the relative error of each tensor (|e - t| / |t|):
Adam and RMSprop divide each gradient element by its own running magnitude, so an element whose
gradient is a near-cancelling float32 sum (|g| ~ 1e-7, rounding ~ 1e-8 in either library) moves
by a visibly different amount. In float64 that rounding vanishes and every element must agree.
The learning rates are the tutorial's (0.01 for LeNet, 0.001 for the CIFAR network): at 0.01 with
Nesterov momentum the CIFAR network's float32 trajectory is chaotic, and torch run with one
thread and with two threads already ends 1e-3 apart.
"""
import numpy as np
import pytest

import ember
import ember.nn  # noqa: F401  (the builders use ember.nn)
import ember.optim  # noqa: F401
from tests.nn._networks import cifar_net, lenet

STEPS = 20
BATCH = 4
OPTIMIZERS = {  # name -> (class, LeNet's hyperparameters, the CIFAR network's)
    "sgd-momentum": ("SGD", dict(lr=0.01, momentum=0.9), dict(lr=0.001, momentum=0.9)),
    "sgd-nesterov": ("SGD", dict(lr=0.01, momentum=0.9, nesterov=True),
                     dict(lr=0.001, momentum=0.9, nesterov=True)),
    "adam": ("Adam", dict(lr=1e-3), dict(lr=1e-3)),
    "rmsprop": ("RMSprop", dict(lr=1e-3), dict(lr=1e-4)),
}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """torch's thread pool fights the other test processes on a small machine; one is faster."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def data(network, dtype=np.float32):
    rng = np.random.default_rng(2024)
    channels = 1 if network == "lenet" else 3
    images = rng.standard_normal((STEPS, BATCH, channels, 32, 32)).astype(dtype)
    if network == "lenet":
        targets = rng.standard_normal((STEPS, BATCH, 10)).astype(dtype)
    else:
        targets = rng.integers(0, 10, (STEPS, BATCH))
    return images, targets


def train(lib, model, network, optimizer, dtype=np.float32):
    name, lenet_kwargs, cifar_kwargs = OPTIMIZERS[optimizer]
    kwargs = lenet_kwargs if network == "lenet" else cifar_kwargs
    opt = getattr(lib.optim, name)(model.parameters(), **kwargs)
    criterion = lib.nn.MSELoss() if network == "lenet" else lib.nn.CrossEntropyLoss()
    images, targets = data(network, dtype)
    losses = []
    for x, y in zip(images, targets):
        opt.zero_grad()
        loss = criterion(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return np.array(losses), {k: v.detach().numpy() for k, v in model.state_dict().items()}


def twins(torch, network, dtype=np.float32):
    """A torch model and its ember twin, with torch's initial weights copied through NumPy."""
    build = lenet if network == "lenet" else cifar_net
    torch.manual_seed(0)
    t, e = build(torch), build(ember)
    if dtype == np.float64:
        t.double()
        e.double()
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t, e


def relative_error(actual, expected):
    return np.linalg.norm(actual - expected) / np.linalg.norm(expected)


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("network", ["lenet", "cifar_net"])
def test_float32_training_matches_torch(torch, network, optimizer):
    t, e = twins(torch, network)
    t_losses, t_weights = train(torch, t, network, optimizer)
    e_losses, e_weights = train(ember, e, network, optimizer)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4)
    assert list(e_weights) == list(t_weights)
    for k in t_weights:
        assert e_weights[k].dtype == np.float32
        assert relative_error(e_weights[k], t_weights[k]) < 1e-4, k
    _, start = twins(torch, network)
    assert relative_error(t_weights["fc1.weight"], start.state_dict()["fc1.weight"].numpy()) \
        > 1e-3  # the weights did move


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("network", ["lenet", "cifar_net"])
def test_float64_training_matches_torch_elementwise(torch, network, optimizer):
    t, e = twins(torch, network, np.float64)
    t_losses, t_weights = train(torch, t, network, optimizer, np.float64)
    e_losses, e_weights = train(ember, e, network, optimizer, np.float64)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-10)
    for k in t_weights:
        np.testing.assert_allclose(e_weights[k], t_weights[k], rtol=1e-4, atol=1e-9, err_msg=k)


def test_manual_sgd_update_of_the_tutorial(torch):
    """for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate)."""
    t, e = twins(torch, "lenet")
    images, targets = data("lenet")
    learning_rate = 0.01
    for lib, net in ((torch, t), (ember, e)):
        criterion = lib.nn.MSELoss()
        for x, y in zip(images[:5], targets[:5]):
            net.zero_grad()
            criterion(net(lib.tensor(x)), lib.tensor(y)).backward()
            for f in net.parameters():
                f.data.sub_(f.grad.data * learning_rate)
    for (k, ev), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        assert relative_error(ev.numpy(), tv.numpy()) < 1e-5, k
