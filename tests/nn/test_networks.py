"""Whole networks against torch: print(model), state_dict layout, forward and backward."""
import numpy as np
import pytest

import ember
import ember.nn  # noqa: F401  (the builders use lib.nn)
import ember.optim as optim

from ._helpers import copy_weights
from ._networks import BUILDERS, small_resnet


@pytest.mark.parametrize("name", list(BUILDERS))
def test_print_and_state_dict_layout_match_torch(torch, name):
    build, _ = BUILDERS[name]
    t, e = build(torch), build(ember)
    assert str(e) == str(t)
    t_sd, e_sd = t.state_dict(), e.state_dict()
    assert list(e_sd) == list(t_sd)
    assert [tuple(v.shape) for v in e_sd.values()] == [tuple(v.shape) for v in t_sd.values()]
    assert [v.dtype.name for v in e_sd.values()] == [str(v.dtype)[6:] for v in t_sd.values()]
    assert list(e_sd._metadata) == list(t_sd._metadata)
    assert list(e_sd._metadata.values()) == list(t_sd._metadata.values())


@pytest.mark.parametrize("name", list(BUILDERS))
def test_forward_and_backward_match_torch(torch, name):
    build, shape = BUILDERS[name]
    t, e = build(torch), build(ember)
    copy_weights(t, e)
    x = np.random.default_rng(0).standard_normal((4, *shape)).astype(np.float32)
    t_out, e_out = t(torch.tensor(x)), e(ember.tensor(x))
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4,
                               atol=1e-5)
    t_out.sum().backward()
    e_out.sum().backward()
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-5,
                                   err_msg=n)
    for (n, eb), (_, tb) in zip(e.named_buffers(), t.named_buffers()):
        np.testing.assert_allclose(eb.numpy(), tb.numpy(), rtol=1e-5, atol=1e-6, err_msg=n)


def test_resnet_trains_and_evaluates_like_torch(torch):
    t, e = small_resnet(torch), small_resnet(ember)
    copy_weights(t, e)
    rng = np.random.default_rng(1)
    t_opt = torch.optim.SGD(t.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    e_opt = optim.SGD(e.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 16, 16)).astype(np.float32)
        y = rng.integers(0, 10, 4)
        for lib, model, opt in ((torch, t, t_opt), (ember, e, e_opt)):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    for (n, ev), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-4, atol=1e-5, err_msg=n)
    t.eval()
    e.eval()
    x = rng.standard_normal((2, 3, 16, 16)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_checkpoints_move_between_ember_and_torch(torch, tmp_path):
    """A model and optimizer state saved by one library loads into the other's twin."""
    e = small_resnet(ember)
    e_opt = optim.Adam(e.parameters(), lr=0.01)
    e(ember.randn(2, 3, 16, 16)).sum().backward()
    e_opt.step()
    ember.save({"model": e.state_dict(), "optim": e_opt.state_dict()}, tmp_path / "e.pt")
    t = small_resnet(torch)
    t_opt = torch.optim.Adam(t.parameters(), lr=0.01)
    ck = torch.load(tmp_path / "e.pt", weights_only=True)
    t.load_state_dict(ck["model"])
    t_opt.load_state_dict(ck["optim"])
    for (n, ev), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_array_equal(ev.numpy(), tv.numpy(), err_msg=n)
    torch.save({"model": t.state_dict(), "optim": t_opt.state_dict()}, tmp_path / "t.pt")
    back = small_resnet(ember)
    back_opt = optim.Adam(back.parameters(), lr=0.01)
    ck = ember.load(tmp_path / "t.pt")
    assert repr(back.load_state_dict(ck["model"])) == "<All keys matched successfully>"
    back_opt.load_state_dict(ck["optim"])
    assert back_opt.state[back.fc.weight]["step"].item() == 1.0
    np.testing.assert_array_equal(back_opt.state[back.fc.weight]["exp_avg"].numpy(),
                                  e_opt.state[e.fc.weight]["exp_avg"].numpy())
