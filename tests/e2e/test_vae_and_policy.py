"""Two small programs that use ember.distributions as real code does, written once for a library
`lib` (ember or torch):

- a variational autoencoder: a Gaussian encoder q(z|x) = Independent(Normal(mu, sigma), 1)
  sampled with rsample, a Bernoulli decoder, and the ELBO's KL term from kl_divergence against a
  standard normal prior, trained a few Adam steps;
- REINFORCE: a policy network's Categorical over three actions, sampled, and the loss
  -(log_prob(actions) * returns) - 0.01 * entropy, a few SGD steps.

Each trains under ember on its own. Where torch is installed the same program runs under torch
from the same initial weights (in float64), fed ember's random draws: the VAE's noise (ember's
rsample is checked to be loc + eps * scale for the eps ember's generator gave) and the policy's
sampled actions, so every loss, log_prob and gradient is compared with torch's.
"""
import numpy as np

import ember
import ember.distributions  # noqa: F401  (the programs use ember.distributions)
import ember.optim  # noqa: F401

STEPS = 4
BATCH, DATA, HIDDEN, LATENT = 16, 10, 12, 3
OBS, ACTIONS = 4, 3


def _data():
    rng = np.random.RandomState(0)
    x = (rng.uniform(size=(BATCH, DATA)) < 0.3).astype(np.float64)
    obs = rng.standard_normal((STEPS, BATCH, OBS))
    returns = rng.standard_normal((STEPS, BATCH))
    return x, obs, returns


def make_vae(lib):
    nn, D = lib.nn, lib.distributions

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Linear(DATA, HIDDEN), nn.Tanh(),
                                         nn.Linear(HIDDEN, 2 * LATENT))
            self.decoder = nn.Sequential(nn.Linear(LATENT, HIDDEN), nn.Tanh(),
                                         nn.Linear(HIDDEN, DATA))

        def posterior(self, x):
            mu, log_sigma = self.encoder(x).chunk(2, dim=-1)
            return D.Independent(D.Normal(mu, log_sigma.exp()), 1)

        def loss(self, x, z):
            """The negative ELBO per example, averaged, for posterior samples z."""
            q = self.posterior(x)
            prior = D.Independent(D.Normal(lib.zeros_like(q.mean), lib.ones_like(q.mean)), 1)
            likelihood = D.Independent(D.Bernoulli(logits=self.decoder(z)), 1)
            return (-likelihood.log_prob(x) + D.kl_divergence(q, prior)).mean()

    return VAE().double()


def make_policy(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(OBS, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, ACTIONS)).double()


def reinforce_loss(lib, policy, obs, actions, returns):
    pi = lib.distributions.Categorical(logits=policy(obs))
    log_prob = pi.log_prob(actions)
    return -(log_prob * returns).mean() - 0.01 * pi.entropy().mean(), log_prob


def _copy(src, dst, torch):
    dst.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in src.state_dict().items()})


def _vae_step_ember(vae, opt, x, seed):
    """One step under ember: z from q's rsample after seeding; returns (loss, the eps used)."""
    q = vae.posterior(x)
    ember.manual_seed(seed)
    eps = ember.randn(tuple(q.batch_shape) + tuple(q.event_shape), dtype=ember.float64)
    ember.manual_seed(seed)
    z = q.rsample()
    np.testing.assert_array_equal(z.detach().numpy(),
                                  (q.mean + eps * q.stddev).detach().numpy())
    loss = vae.loss(x, z)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss, eps


def test_vae_trains_under_ember():
    x_np, _, _ = _data()
    ember.manual_seed(0)  # the initial weights: a test must not depend on the tests before it
    vae = make_vae(ember)
    opt = ember.optim.Adam(vae.parameters(), lr=0.05)
    x = ember.tensor(x_np)
    # 60 steps: the loss falls by 0.9-1.4 over seeds 0-5 (by 0.6-1.3 in 30 steps, too close)
    losses = [_vae_step_ember(vae, opt, x, seed)[0].item() for seed in range(60)]
    assert all(np.isfinite(losses))
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 1.0


def test_vae_matches_torch(torch):
    x_np, _, _ = _data()
    e_vae, t_vae = make_vae(ember), make_vae(torch)
    _copy(e_vae, t_vae, torch)
    e_opt = ember.optim.Adam(e_vae.parameters(), lr=0.05)
    t_opt = torch.optim.Adam(t_vae.parameters(), lr=0.05)
    e_x, t_x = ember.tensor(x_np), torch.tensor(x_np)
    for seed in range(STEPS):
        e_loss, eps = _vae_step_ember(e_vae, e_opt, e_x, seed)
        q = t_vae.posterior(t_x)
        z = q.mean + torch.tensor(eps.numpy()) * q.stddev  # what rsample computes, same noise
        t_loss = t_vae.loss(t_x, z)
        t_opt.zero_grad()
        t_loss.backward()
        np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-10)
        for (name, e_p), t_p in zip(e_vae.named_parameters(), t_vae.parameters()):
            np.testing.assert_allclose(e_p.grad.numpy(), t_p.grad.numpy(), rtol=1e-8,
                                       atol=1e-12, err_msg=name)
        t_opt.step()
    for (name, e_p), t_p in zip(e_vae.named_parameters(), t_vae.parameters()):
        np.testing.assert_allclose(e_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-8,
                                   atol=1e-12, err_msg=name)


def _policy_step_ember(policy, opt, obs, returns):
    with ember.no_grad():
        actions = ember.distributions.Categorical(logits=policy(obs)).sample()
    loss, log_prob = reinforce_loss(ember, policy, obs, actions, returns)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return actions, loss, log_prob


def test_policy_gradient_step_under_ember():
    _, obs, _ = _data()
    policy = make_policy(ember)
    opt = ember.optim.SGD(policy.parameters(), lr=0.5)
    o = ember.tensor(obs[0])
    # reward action 2 only: its probability must rise
    before = ember.softmax(policy(o), -1)[:, 2].mean().item()
    for _ in range(20):
        with ember.no_grad():
            actions = ember.distributions.Categorical(logits=policy(o)).sample()
        loss, _ = reinforce_loss(ember, policy, o, actions, (actions == 2).double())
        opt.zero_grad()
        loss.backward()
        opt.step()
        assert actions.dtype == ember.int64 and bool(((actions >= 0) & (actions < 3)).all())
    assert ember.softmax(policy(o), -1)[:, 2].mean().item() > before + 0.2


def test_policy_gradient_matches_torch(torch):
    _, obs, returns = _data()
    e_pol, t_pol = make_policy(ember), make_policy(torch)
    _copy(e_pol, t_pol, torch)
    e_opt = ember.optim.SGD(e_pol.parameters(), lr=0.1, momentum=0.9)
    t_opt = torch.optim.SGD(t_pol.parameters(), lr=0.1, momentum=0.9)
    for step in range(STEPS):
        e_obs, e_ret = ember.tensor(obs[step]), ember.tensor(returns[step])
        actions, e_loss, e_lp = _policy_step_ember(e_pol, e_opt, e_obs, e_ret)
        t_loss, t_lp = reinforce_loss(torch, t_pol, torch.tensor(obs[step]),
                                      torch.tensor(actions.numpy()), torch.tensor(returns[step]))
        t_opt.zero_grad()
        t_loss.backward()
        np.testing.assert_allclose(e_lp.detach().numpy(), t_lp.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(e_loss.item(), t_loss.item(), rtol=1e-12)
        for (name, e_p), t_p in zip(e_pol.named_parameters(), t_pol.parameters()):
            np.testing.assert_allclose(e_p.grad.numpy(), t_p.grad.numpy(), rtol=1e-9,
                                       atol=1e-13, err_msg=name)
        t_opt.step()
    for (name, e_p), t_p in zip(e_pol.named_parameters(), t_pol.parameters()):
        np.testing.assert_allclose(e_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-9,
                                   atol=1e-13, err_msg=name)
