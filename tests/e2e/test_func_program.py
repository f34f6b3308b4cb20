"""A program of our own on ember.func: per-sample gradients of a small MLP's loss with
vmap(grad(functional_call(...))), clipped per sample and averaged (a DP-SGD step), checked against
a Python loop over samples and against torch.func from the same weights."""
import numpy as np
import pytest

import ember
import ember.func as ef


def _mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3)).double()


def _per_sample_step(lib, func, model, params, x, y, clip=0.5, lr=0.1):
    def loss(p, xi, yi):
        out = func.functional_call(model, p, (xi.unsqueeze(0),))
        return lib.nn.functional.cross_entropy(out, yi.unsqueeze(0))

    grads = func.vmap(func.grad(loss), in_dims=(None, 0, 0))(params, x, y)
    norms = lib.sqrt(sum((g.reshape(len(x), -1) ** 2).sum(1) for g in grads.values()))
    scale = (clip / (norms + 1e-12)).clamp(max=1.0)
    new = {k: params[k] - lr * (g * scale.reshape((-1,) + (1,) * (g.dim() - 1))).mean(0)
           for k, g in grads.items()}
    return grads, new


def test_per_sample_gradients_match_a_loop_and_torch_func():
    torch = pytest.importorskip("torch")
    import torch.func as tf
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    model, tmodel = _mlp(ember), _mlp(torch)
    tmodel.load_state_dict({k: torch.tensor(v.detach().numpy())
                            for k, v in model.state_dict().items()})
    params = {k: v.detach() for k, v in model.named_parameters()}
    tparams = {k: v.detach() for k, v in tmodel.named_parameters()}
    ex, ey, tx, ty = ember.tensor(x), ember.tensor(y), torch.tensor(x), torch.tensor(y)
    for _ in range(3):
        grads, params = _per_sample_step(ember, ef, model, params, ex, ey)
        tgrads, tparams = _per_sample_step(torch, tf, tmodel, tparams, tx, ty)
        for k in grads:
            np.testing.assert_allclose(grads[k].numpy(), tgrads[k].numpy(), rtol=1e-10,
                                       atol=1e-12)
            np.testing.assert_allclose(params[k].numpy(), tparams[k].numpy(), rtol=1e-10,
                                       atol=1e-12)
    stepped = _per_sample_step(ember, ef, model, params, ex, ey)[0]
    with ember.no_grad():
        for k, v in model.named_parameters():
            v.copy_(params[k])
    for i in range(len(x)):  # the vmapped gradients are the loop's, sample by sample
        model.zero_grad(set_to_none=True)
        ember.nn.functional.cross_entropy(model(ex[i:i + 1]), ey[i:i + 1]).backward()
        for k, p in model.named_parameters():
            np.testing.assert_allclose(stepped[k][i].numpy(), p.grad.numpy(), rtol=1e-10,
                                       atol=1e-12)
