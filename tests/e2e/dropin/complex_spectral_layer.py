"""A Fourier-layer regression (FNO style) in float64: rfft, a complex weight per kept mode, irfft;
Adam on a complex Parameter, gradient clipping by norm (float32 Adam amplifies rounding noise)."""
import math

import torch
import torch.nn as nn


class SpectralConv1d(nn.Module):
    def __init__(self, channels, modes):
        super().__init__()
        self.modes = modes
        k = torch.arange(channels * channels * modes, dtype=torch.float64).reshape(
            channels, channels, modes)
        real, imag = torch.sin(k * 0.37) * 0.3, torch.cos(k * 0.61) * 0.3
        self.weight = nn.Parameter(torch.complex(real, imag))

    def forward(self, x):
        spectrum = torch.fft.rfft(x)
        out = torch.zeros(x.shape[0], x.shape[1], spectrum.shape[-1], dtype=torch.complex128)
        out[:, :, :self.modes] = torch.einsum("bim,iom->bom", spectrum[:, :, :self.modes],
                                              self.weight)
        return torch.fft.irfft(out, n=x.shape[-1])


grid = torch.linspace(0, 2 * math.pi, 32, dtype=torch.float64)
x = torch.stack([torch.stack([torch.sin(grid * (b + 1)), torch.cos(grid * (b + 2))])
                 for b in range(4)])
target = torch.roll(x, 3, dims=-1) * 0.5

layer = SpectralConv1d(2, 6)
opt = torch.optim.Adam(layer.parameters(), lr=0.05)
for step in range(6):
    opt.zero_grad()
    loss = ((layer(x) - target) ** 2).mean()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
    opt.step()
    print(f"step {step} loss {loss.item():.6f} grad norm {norm.item():.6f}")
w = layer.weight.detach()
print("weight", w.dtype, round(w.real.sum().item(), 5), round(w.imag.sum().item(), 5))
z = torch.tensor([[1 + 2j, 0.5 - 1j], [2 - 0.5j, -1 + 1j]], requires_grad=True)
(torch.linalg.det(z).abs() + torch.linalg.inv(z).abs().sum()).backward()
print("det/inv grad", [round(v, 5) for v in torch.view_as_real(z.grad).flatten().tolist()])
