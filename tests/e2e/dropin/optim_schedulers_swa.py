"""Optimizers and schedules beyond SGD/Adam: RAdam with a chained schedule, Rprop, Adafactor with
cosine warm restarts, and stochastic weight averaging with batch-norm statistics recomputed."""
import torch
import torch.nn as nn
from torch.optim.lr_scheduler import (ChainedScheduler, ConstantLR, CosineAnnealingWarmRestarts,
                                      ExponentialLR)
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn

xs = torch.linspace(-2, 2, 16).reshape(8, 2)
ys = (xs[:, :1] * 1.5 - xs[:, 1:] * 0.7 + 0.2)


def model():
    net = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1))
    with torch.no_grad():
        for i, p in enumerate(net.parameters()):
            p.copy_(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape).cos()
                    * (0.3 + 0.1 * i))
    return net


def train(name, net, opt, sched, steps=6):
    for _ in range(steps):
        opt.zero_grad()
        loss = ((net(xs) - ys) ** 2).mean()
        loss.backward()
        opt.step()
        sched.step()
    print(f"{name} loss {loss.item():.6f} lr {sched.get_last_lr()[0]:.6f}")
    return net


net = model()
opt = torch.optim.RAdam(net.parameters(), lr=0.05, decoupled_weight_decay=True, weight_decay=0.01)
train("radam", net, opt, ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=3),
                                          ExponentialLR(opt, gamma=0.9)]))
net = model()
opt = torch.optim.Rprop(net.parameters(), lr=0.01)
train("rprop", net, opt, ExponentialLR(opt, gamma=0.95))
net = model()
opt = torch.optim.Adafactor(net.parameters(), lr=0.05)
train("adafactor", net, opt, CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2))

net = model()
swa = AveragedModel(net)
opt = torch.optim.SGD(net.parameters(), lr=0.05)
sched = SWALR(opt, swa_lr=0.02, anneal_epochs=2)
for epoch in range(4):
    opt.zero_grad()
    ((net(xs) - ys) ** 2).mean().backward()
    opt.step()
    swa.update_parameters(net)
    sched.step()
update_bn([(xs[:4],), (xs[4:],)], swa)
swa.eval()
print("swa", swa.n_averaged.item(), round(((swa(xs) - ys) ** 2).mean().item(), 6),
      [round(v, 5) for v in swa.module[1].running_mean.tolist()])
