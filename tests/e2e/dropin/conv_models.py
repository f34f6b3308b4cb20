"""A small convolutional network: BatchNorm, grouped strided convolution, GroupNorm, SiLU,
ConvTranspose2d, PixelShuffle, bilinear interpolation, adaptive pooling; SGD (Nesterov) with
ReduceLROnPlateau and a disabled GradScaler, then evaluation mode."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.cos() * 0.15 + 0.01 * i)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2)
        self.gn = nn.GroupNorm(4, 8)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.ps = nn.PixelShuffle(2)
        self.head = nn.Conv2d(1, 1, 1)
        self.pool = nn.AdaptiveAvgPool2d((2, 2))
        self.fc = nn.Linear(8 * 4, 1)

    def forward(self, x):
        h = F.relu(self.bn(self.c1(x)))
        r = F.silu(self.gn(self.c2(h)))
        u = self.up(r) + h[:, :4]
        img = self.head(self.ps(u))
        img = F.interpolate(img, size=(6, 6), mode="bilinear", align_corners=False)
        feat = torch.cat([self.pool(r).flatten(1), F.max_pool2d(r, 2).flatten(1)[:, :0]], 1)
        return self.fc(feat).squeeze(1), img


net = Net()
init(net)
x = torch.linspace(-1, 1, 2 * 3 * 8 * 8).reshape(2, 3, 8, 8).sin()
y = torch.tensor([1.0, 0.0])
opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
scaler = torch.amp.GradScaler("cpu", enabled=False)
for step in range(5):
    logit, img = net(x)
    loss = F.binary_cross_entropy_with_logits(logit, y) + img.pow(2).mean() * 0.1
    opt.zero_grad()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    plateau.step(loss.item())
    print(f"step {step} loss {loss.item():.6f} lr {opt.param_groups[0]['lr']:.5f} "
          f"rm {net.bn.running_mean.sum().item():.6f}")
net.eval()
with torch.no_grad():
    print("eval", [round(v, 5) for v in net(x)[0].tolist()])
