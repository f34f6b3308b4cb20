"""A RealNVP-style normalizing flow (masked affine couplings with tanh-bounded scales and log-det
sums), a tour of torch.distributions (Normal, MultivariateNormal with scale_tril, Independent,
TransformedDistribution with composed transforms, Categorical, MixtureSameFamily, KL divergences,
cdf/icdf, moments and shapes), and variational inference with a hand-written reparameterisation
trick and an ELBO, optimised with Adam."""
import math

import torch
import torch.nn as nn
from torch.distributions import (Categorical, Independent, MixtureSameFamily, MultivariateNormal,
                                 Normal, TransformedDistribution, kl_divergence)
from torch.distributions.transforms import AffineTransform, ComposeTransform, SigmoidTransform


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.2 + 0.01 * i)


def fmt(t, nd=5):
    return [round(v, nd) for v in t.flatten().tolist()]


class Coupling(nn.Module):
    def __init__(self, dim, mask, hidden=8):
        super().__init__()
        self.register_buffer("mask", mask)
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.LeakyReLU(0.2),
                                 nn.Linear(hidden, 2 * dim))
        self.scale = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        s, t = self.net(x * self.mask).chunk(2, dim=-1)
        s = self.scale * torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        y = x * self.mask + (1 - self.mask) * (x * torch.exp(s) + t)
        return y, s.sum(dim=-1)

    def inverse(self, y):
        s, t = self.net(y * self.mask).chunk(2, dim=-1)
        s = self.scale * torch.tanh(s) * (1 - self.mask)
        t = t * (1 - self.mask)
        return y * self.mask + (1 - self.mask) * (y - t) * torch.exp(-s)


class RealNVP(nn.Module):
    def __init__(self, dim=4, n=4):
        super().__init__()
        base_mask = (torch.arange(dim) % 2).float()
        self.layers = nn.ModuleList(Coupling(dim, base_mask if i % 2 == 0 else 1 - base_mask)
                                    for i in range(n))
        self.base = Independent(Normal(torch.zeros(dim), torch.ones(dim)), 1)

    def forward(self, x):
        log_det = torch.zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        return x, log_det

    def log_prob(self, x):
        z, log_det = self(x)
        return self.base.log_prob(z) + log_det

    def inverse(self, z):
        for layer in reversed(self.layers):
            z = layer.inverse(z)
        return z


# -- a normalizing flow fit by maximum likelihood to fixed two-moon-like points ------------------
angle = torch.linspace(0, math.pi, 16)
data = torch.stack([angle.cos(), angle.sin(), angle.cos() * 0.5 - 0.2, (2 * angle).sin() * 0.3], 1)
flow = RealNVP()
init(flow)
opt = torch.optim.Adam(flow.parameters(), lr=5e-3)
for step in range(5):
    nll = -flow.log_prob(data).mean()
    opt.zero_grad()
    nll.backward()
    opt.step()
    print(f"flow step {step} nll {nll.item():.6f}")
with torch.no_grad():
    z, log_det = flow(data[:3])
    print("flow z", fmt(z[0]), "logdet", fmt(log_det))
    print("flow roundtrip", torch.allclose(flow.inverse(z), data[:3], atol=1e-5))
    print("flow base", flow.base.batch_shape, flow.base.event_shape, flow.base.sample((5,)).shape)

# -- distributions ------------------------------------------------------------------------------
loc = torch.tensor([0.5, -1.0, 2.0])
scale = torch.tensor([1.0, 0.5, 2.0])
n = Normal(loc, scale)
x = torch.tensor([0.0, 0.25, 1.5])
print("normal", fmt(n.log_prob(x)), fmt(n.entropy()), fmt(n.cdf(x)),
      fmt(n.icdf(torch.tensor([0.1, 0.5, 0.9]))))
print("normal moments", fmt(n.mean), fmt(n.variance), fmt(n.stddev), n.batch_shape, n.event_shape)
print("normal rsample", n.rsample((2,)).shape, n.sample().shape)

tril = torch.tensor([[1.0, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.4, 1.2]])
mvn = MultivariateNormal(loc, scale_tril=tril)
mvn2 = MultivariateNormal(torch.zeros(3), covariance_matrix=torch.eye(3) * 1.5 + 0.2)
print("mvn", round(mvn.log_prob(x).item(), 6), round(mvn.entropy().item(), 6),
      fmt(mvn.covariance_matrix), fmt(mvn.variance), mvn.batch_shape, mvn.event_shape)
print("mvn2", fmt(mvn2.scale_tril), fmt(mvn2.precision_matrix), round(mvn2.log_prob(x).item(), 6))
print("kl mvn", round(kl_divergence(mvn, mvn2).item(), 6),
      round(kl_divergence(mvn2, mvn).item(), 6))
print("kl normal", fmt(kl_divergence(n, Normal(torch.zeros(3), torch.ones(3)))))

ind = Independent(Normal(loc.expand(2, 3), scale), 1)
print("independent", ind.batch_shape, ind.event_shape, fmt(ind.log_prob(x)), fmt(ind.entropy()),
      fmt(kl_divergence(ind, Independent(Normal(torch.zeros(2, 3), torch.ones(2, 3)), 1))))

squash = ComposeTransform([SigmoidTransform(), AffineTransform(loc=-1.0, scale=2.0)])
td = TransformedDistribution(Normal(torch.zeros(3), torch.ones(3) * 0.7), squash)
y = torch.tensor([-0.5, 0.1, 0.8])
print("transformed", fmt(td.log_prob(y)), fmt(td.cdf(y)),
      fmt(td.icdf(torch.tensor([0.2, 0.5, 0.7]))),
      td.batch_shape, td.event_shape, td.rsample((4,)).shape)
print("compose", fmt(squash(torch.tensor([0.3]))), fmt(squash.inv(torch.tensor([0.2]))),
      fmt(squash.log_abs_det_jacobian(torch.tensor([0.3]), squash(torch.tensor([0.3])))))

logits = torch.tensor([[0.1, 1.2, -0.4], [2.0, 0.0, 0.5]])
cat = Categorical(logits=logits)
print("categorical", fmt(cat.probs), fmt(cat.log_prob(torch.tensor([2, 0]))), fmt(cat.entropy()),
      cat.batch_shape, cat.event_shape, cat.sample((4,)).shape)
mix = MixtureSameFamily(Categorical(logits=torch.tensor([0.2, -0.3, 1.0])),
                        Normal(torch.tensor([-2.0, 0.0, 3.0]), torch.tensor([0.5, 1.0, 0.8])))
grid = torch.linspace(-3, 4, 5)
print("mixture", fmt(mix.log_prob(grid)), fmt(mix.cdf(grid)), round(mix.mean.item(), 6),
      round(mix.variance.item(), 6), mix.batch_shape, mix.event_shape, mix.sample((6,)).shape)
centres = torch.tensor([[0.0, 1.0], [2.0, -1.0]])
gmm = MixtureSameFamily(Categorical(logits=torch.zeros(2)),
                        Independent(Normal(centres, torch.ones(2, 2)), 1))
print("gmm", fmt(gmm.log_prob(torch.tensor([[0.5, 0.5], [1.0, -1.0]]))), gmm.event_shape,
      fmt(gmm.mean))

# -- variational inference: a Gaussian posterior over a linear model's weights ------------------
xs = torch.linspace(-2, 2, 12).unsqueeze(1)
features = torch.cat([xs, xs ** 2, torch.ones_like(xs)], 1)
targets = (0.8 * xs - 0.3 * xs ** 2 + 0.1 + 0.05 * (5 * xs).sin()).squeeze(1)
q_mu = nn.Parameter(torch.zeros(3))
q_rho = nn.Parameter(torch.full((3,), -1.0))
prior = Normal(torch.zeros(3), torch.ones(3))
eps = torch.stack([torch.linspace(-1, 1, 3) * k for k in (0.5, -1.0, 1.5, -0.2)])
opt = torch.optim.Adam([q_mu, q_rho], lr=0.05)
for step in range(6):
    std = nn.functional.softplus(q_rho)
    w = q_mu + std * eps[step % 4]
    lik = Normal(features @ w, 0.1).log_prob(targets).sum()
    q = Normal(q_mu, std)
    elbo = lik + prior.log_prob(w).sum() - q.log_prob(w).sum()
    analytic = lik - kl_divergence(q, prior).sum()
    opt.zero_grad()
    (-elbo).backward()
    opt.step()
    print(f"vi step {step} elbo {elbo.item():.5f} analytic {analytic.item():.5f} "
          f"grad {q_rho.grad.norm().item():.5f}")
torch.set_printoptions(precision=4)
posterior = Normal(q_mu, nn.functional.softplus(q_rho))
print("vi posterior mean", posterior.mean)
print("vi posterior stddev", posterior.stddev)
full = MultivariateNormal(q_mu, scale_tril=torch.diag_embed(posterior.stddev))
print("vi precision", full.precision_matrix)
print("vi entropy", full.entropy(), posterior.entropy().sum())
