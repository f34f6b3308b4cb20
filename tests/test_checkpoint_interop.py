"""Checkpoints of real models cross between torch and ember: train in torch, continue in ember."""
import numpy as np
import pytest

import ember
from tests.nn._networks import cifar_net

torch = pytest.importorskip("torch")


def _batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((4, 3, 32, 32)).astype(np.float32),
             rng.integers(0, 10, 4)) for _ in range(n)]


def _train(lib, model, opt, batches):
    loss_fn = lib.nn.CrossEntropyLoss()
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        opt.step()
    return loss.item()


def _torch_setup(seed):
    torch.manual_seed(seed)
    model = cifar_net(torch)
    return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def test_train_in_torch_continue_in_ember_matches_torch_alone(tmp_path):
    batches = _batches(6)
    # Reference: six steps in torch alone.
    ref_model, ref_opt = _torch_setup(0)
    _train(torch, ref_model, ref_opt, batches)
    # Three steps in torch, checkpoint, three more in ember.
    model, opt = _torch_setup(0)
    _train(torch, model, opt, batches[:3])
    torch.save({"model": model.state_dict(), "optim": opt.state_dict()}, tmp_path / "ckpt.pt")
    ck = ember.load(tmp_path / "ckpt.pt")
    e_model = cifar_net(ember)
    e_model.load_state_dict(ck["model"])
    e_opt = ember.optim.SGD(e_model.parameters(), lr=0.01, momentum=0.9)
    e_opt.load_state_dict(ck["optim"])
    _train(ember, e_model, e_opt, batches[3:])
    ref = ref_model.state_dict()
    for name, value in e_model.state_dict().items():
        np.testing.assert_allclose(value.numpy(), ref[name].numpy(), rtol=1e-5, atol=1e-7,
                                   err_msg=name)


def test_ember_model_and_optimizer_state_load_in_torch(tmp_path):
    ember.manual_seed(0)
    e_model = cifar_net(ember)
    e_opt = ember.optim.Adam(e_model.parameters(), lr=1e-3)
    _train(ember, e_model, e_opt, _batches(2))
    ember.save({"model": e_model.state_dict(), "optim": e_opt.state_dict()}, tmp_path / "e.pt")
    ck = torch.load(tmp_path / "e.pt")
    t_model = cifar_net(torch)
    t_model.load_state_dict(ck["model"])
    t_opt = torch.optim.Adam(t_model.parameters(), lr=1e-3)
    t_opt.load_state_dict(ck["optim"])
    for name, value in e_model.state_dict().items():
        np.testing.assert_array_equal(t_model.state_dict()[name].numpy(), value.numpy())
    e_state = e_opt.state_dict()["state"]
    t_state = t_opt.state_dict()["state"]
    assert sorted(e_state) == sorted(t_state)
    for k in e_state:
        np.testing.assert_array_equal(t_state[k]["exp_avg"].numpy(),
                                      e_state[k]["exp_avg"].numpy())
    # Both continue identically from the shared checkpoint.
    more = _batches(2, seed=1)
    _train(ember, e_model, e_opt, more)
    _train(torch, t_model, t_opt, more)
    for name, value in e_model.state_dict().items():
        np.testing.assert_allclose(value.numpy(), t_model.state_dict()[name].numpy(),
                                   rtol=1e-4, atol=1e-6, err_msg=name)
