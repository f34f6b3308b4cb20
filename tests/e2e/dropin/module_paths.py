# Imports at the paths where torch keeps its modules, and a short training run through them.
import torch
from torch.nn import init
from torch.nn.modules.activation import MultiheadAttention, ReLU
from torch.nn.modules.batchnorm import BatchNorm1d
from torch.nn.modules.container import Sequential
from torch.nn.modules.conv import Conv1d
from torch.nn.modules.linear import Linear
from torch.nn.modules.loss import MSELoss
from torch.nn.modules.module import Module
from torch.optim.lr_scheduler import StepLR
from torch.optim.optimizer import Optimizer
from torch.utils.data.dataloader import DataLoader
from torch.utils.data.dataset import Dataset


class Ramp(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        x = torch.arange(6.0).reshape(2, 3) * (i + 1) / 20
        return x, x.sum().reshape(1) / 4


class Net(Module):
    def __init__(self):
        super().__init__()
        self.conv = Conv1d(2, 3, kernel_size=2)
        self.body = Sequential(BatchNorm1d(6), ReLU(), Linear(6, 1))
        self.attn = MultiheadAttention(embed_dim=2, num_heads=1, batch_first=True)
        for p in self.parameters():
            if p.dim() > 1:
                init.constant_(p, 0.1)
            else:
                init.zeros_(p)
        with torch.no_grad():
            self.conv.weight.copy_(torch.linspace(-0.3, 0.3, 12).reshape(3, 2, 2))

    def forward(self, x):
        a, _ = self.attn(x.transpose(1, 2), x.transpose(1, 2), x.transpose(1, 2))
        h = self.conv(x + a.transpose(1, 2)).flatten(1)
        return self.body(h)


net = Net()
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.5)
assert isinstance(opt, Optimizer)
sched = StepLR(opt, step_size=2, gamma=0.5)
loss_fn = MSELoss()
for epoch in range(3):
    total = 0.0
    for x, y in DataLoader(Ramp(), batch_size=4, shuffle=False):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        total += loss.item()
    sched.step()
    print("epoch", epoch, round(total, 5), sched.get_last_lr())
