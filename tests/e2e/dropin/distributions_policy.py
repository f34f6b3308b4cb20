"""Policy-gradient style maths with torch.distributions: a tanh-squashed Gaussian policy
(TransformedDistribution), a categorical head, entropies and KL terms, optimised on fixed actions."""
import torch
import torch.nn as nn
from torch.distributions import (Categorical, Dirichlet, Laplace, Normal, TransformedDistribution,
                                 kl_divergence)
from torch.distributions.transforms import AffineTransform, TanhTransform

obs = torch.stack([torch.linspace(-1, 1, 6), torch.linspace(0.5, -0.5, 6)], 1)
actions = torch.tanh(torch.linspace(-0.8, 0.8, 6)).unsqueeze(1) * 0.9
choices = torch.tensor([0, 2, 1, 1, 0, 2])
returns = torch.linspace(1.0, -0.5, 6)

body = nn.Linear(2, 5)
with torch.no_grad():
    body.weight.copy_(torch.arange(10.0).reshape(5, 2).sin() * 0.5)
    body.bias.copy_(torch.arange(5.0).cos() * 0.1)
params = list(body.parameters())
opt = torch.optim.RMSprop(params, lr=0.01)
for step in range(5):
    h = body(obs)
    mean, log_std, logits = h[:, :1], h[:, 1:2].clamp(-2, 1), h[:, 2:]
    base = Normal(mean, log_std.exp())
    policy = TransformedDistribution(base, [TanhTransform(), AffineTransform(0.0, 1.0)])
    cat = Categorical(logits=logits)
    logp = policy.log_prob(actions).squeeze(1) + cat.log_prob(choices)
    loss = -(logp * returns).mean() - 0.01 * (base.entropy().mean() + cat.entropy().mean())
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step} loss {loss.item():.6f}")
p, q = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0])), Laplace(torch.tensor(0.5),
                                                                           torch.tensor(1.5))
print("kl normal-normal", kl_divergence(p, Normal(torch.tensor(0.3), torch.tensor(1.1))).tolist())
d = Dirichlet(torch.tensor([1.5, 2.0, 0.7]))
print("dirichlet", round(d.entropy().item(), 6), [round(v, 6) for v in d.mean.tolist()],
      round(d.log_prob(torch.tensor([0.2, 0.5, 0.3])).item(), 6))
print("laplace cdf", round(q.cdf(torch.tensor(1.0)).item(), 6), round(q.entropy().item(), 6))
