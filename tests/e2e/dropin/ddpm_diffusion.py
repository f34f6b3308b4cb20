"""A tiny DDPM: linear and cosine beta schedules, per-timestep coefficients gathered and reshaped
for broadcasting, sinusoidal time embeddings, a small U-Net-ish eps-model (GroupNorm, SiLU,
weight-standardised residual blocks with time injection, linear and full attention, avg-pool
down, Upsample up), AdamW on a fixed-noise MSE, an EMA copy of the weights, and deterministic
reverse sampling with fixed noise."""
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.2 + 0.01 * i)


def linear_beta_schedule(steps):
    return torch.linspace(1e-4, 0.02, steps)


def cosine_beta_schedule(steps, s=0.008):
    x = torch.linspace(0, steps, steps + 1, dtype=torch.float64)
    alphas_cumprod = torch.cos(((x / steps) + s) / (1 + s) * math.pi * 0.5) ** 2
    alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
    betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
    return torch.clip(betas, 0, 0.999).float()


def extract(a, t, x_shape):
    b, *_ = t.shape
    out = a.gather(-1, t)
    return out.reshape(b, *((1,) * (len(x_shape) - 1)))


class SinusoidalPosEmb(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, t):
        half = self.dim // 2
        emb = torch.exp(torch.arange(half, device=t.device) * -math.log(10000) / (half - 1))
        emb = t[:, None].float() * emb[None, :]
        return torch.cat([emb.sin(), emb.cos()], dim=-1)


class WeightStandardizedConv2d(nn.Conv2d):
    def forward(self, x):
        mean = self.weight.mean(dim=(1, 2, 3), keepdim=True)
        var = torch.var(self.weight, dim=(1, 2, 3), keepdim=True, unbiased=False)
        weight = (self.weight - mean) * (var + 1e-5).rsqrt()
        return F.conv2d(x, weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class LinearAttention(nn.Module):
    def __init__(self, dim, heads=2, dim_head=4):
        super().__init__()
        self.scale, self.heads = dim_head ** -0.5, heads
        self.to_qkv = nn.Conv2d(dim, dim_head * heads * 3, 1, bias=False)
        self.to_out = nn.Sequential(nn.Conv2d(dim_head * heads, dim, 1), nn.GroupNorm(1, dim))

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = map(lambda t: t.reshape(b, self.heads, -1, h * w), self.to_qkv(x).chunk(3, dim=1))
        q = q.softmax(dim=-2) * self.scale
        context = torch.einsum("b h d n, b h e n -> b h d e", k.softmax(dim=-1), v)
        out = torch.einsum("b h d e, b h d n -> b h e n", context, q)
        return self.to_out(out.reshape(b, -1, h, w))


class Attention(nn.Module):
    def __init__(self, dim, heads=2, dim_head=4):
        super().__init__()
        self.scale, self.heads = dim_head ** -0.5, heads
        self.to_qkv = nn.Conv2d(dim, dim_head * heads * 3, 1, bias=False)
        self.to_out = nn.Conv2d(dim_head * heads, dim, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = map(lambda t: t.reshape(b, self.heads, -1, h * w), self.to_qkv(x).chunk(3, dim=1))
        sim = torch.einsum("b h d i, b h d j -> b h i j", q * self.scale, k)
        attn = (sim - sim.amax(dim=-1, keepdim=True).detach()).softmax(dim=-1)
        out = torch.einsum("b h i j, b h d j -> b h i d", attn, v)
        return self.to_out(out.permute(0, 1, 3, 2).reshape(b, -1, h, w))


class Residual(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x) + x


def prenorm(dim, fn):
    return Residual(nn.Sequential(nn.GroupNorm(1, dim), fn))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim):
        super().__init__()
        self.norm1 = nn.GroupNorm(2, cin)
        self.conv1 = WeightStandardizedConv2d(cin, cout, 3, padding=1)
        self.time = nn.Sequential(nn.SiLU(), nn.Linear(tdim, cout))
        self.norm2 = nn.GroupNorm(2, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(temb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


class EpsModel(nn.Module):
    def __init__(self, ch=4, tdim=8):
        super().__init__()
        self.temb = nn.Sequential(SinusoidalPosEmb(tdim), nn.Linear(tdim, tdim * 2), nn.GELU(),
                                  nn.Linear(tdim * 2, tdim))
        self.inc = nn.Conv2d(1, ch, 3, padding=1)
        self.down = ResBlock(ch, ch * 2, tdim)
        self.mid = ResBlock(ch * 2, ch * 2, tdim)
        self.attn = nn.Sequential(prenorm(ch * 2, LinearAttention(ch * 2)),
                                  prenorm(ch * 2, Attention(ch * 2)))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec = ResBlock(ch * 3, ch, tdim)
        self.out = nn.Sequential(nn.GroupNorm(2, ch), nn.SiLU(), nn.Conv2d(ch, 1, 1))

    def forward(self, x, t):
        temb = self.temb(t)
        h0 = self.inc(x)
        h1 = self.down(F.avg_pool2d(h0, 2), temb)
        h1 = self.attn(self.mid(h1, temb))
        h = torch.cat([self.up(h1), h0], dim=1)
        return self.out(self.dec(h, temb))


T = 10
betas = cosine_beta_schedule(T)
lin = linear_beta_schedule(T)
alphas = 1.0 - betas
alphas_cumprod = torch.cumprod(alphas, dim=0)
alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
sqrt_ac = torch.sqrt(alphas_cumprod)
sqrt_1m_ac = torch.sqrt(1.0 - alphas_cumprod)
sqrt_recip_ac = torch.sqrt(1.0 / alphas_cumprod)
sqrt_recipm1_ac = torch.sqrt(1.0 / alphas_cumprod - 1)
post_var = betas * (1.0 - alphas_cumprod_prev) / (1.0 - alphas_cumprod)
post_log_var = torch.log(post_var.clamp(min=1e-20))
post_c1 = betas * torch.sqrt(alphas_cumprod_prev) / (1.0 - alphas_cumprod)
post_c2 = (1.0 - alphas_cumprod_prev) * torch.sqrt(alphas) / (1.0 - alphas_cumprod)
print("betas", [round(v, 6) for v in betas.tolist()])
print("linear", [round(v, 6) for v in lin[::3].tolist()], lin.dtype)
print("ac", [round(v, 6) for v in alphas_cumprod.tolist()])
print("post_log_var", [round(v, 4) for v in post_log_var.tolist()])


def q_sample(x0, t, noise):
    return extract(sqrt_ac, t, x0.shape) * x0 + extract(sqrt_1m_ac, t, x0.shape) * noise


def p_mean_variance(model, x, t):
    eps = model(x, t)
    x0 = extract(sqrt_recip_ac, t, x.shape) * x - extract(sqrt_recipm1_ac, t, x.shape) * eps
    x0 = x0.clamp(-1.0, 1.0)
    mean = extract(post_c1, t, x.shape) * x0 + extract(post_c2, t, x.shape) * x
    return mean, extract(post_log_var, t, x.shape)


model = EpsModel()
init(model)
ema = copy.deepcopy(model).requires_grad_(False)
x0 = torch.linspace(-1, 1, 4 * 8 * 8).reshape(4, 1, 8, 8).mul(3.0).sin()
noise = torch.linspace(-2, 2, 4 * 8 * 8).reshape(4, 1, 8, 8).mul(7.0).cos()
ts = torch.tensor([0, 3, 6, 9])
coef = extract(sqrt_ac, ts, x0.shape)
print("extract", coef.shape, coef.flatten().tolist())
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
for step in range(4):
    t = (ts + step) % T
    xt = q_sample(x0, t, noise)
    loss = F.mse_loss(model(xt, t), noise)
    opt.zero_grad()
    loss.backward()
    gnorm = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    with torch.no_grad():
        for pe, pm in zip(ema.parameters(), model.parameters()):
            if step % 2 == 0:
                pe.lerp_(pm, 0.1)
            else:
                pe.mul_(0.9).add_(pm, alpha=0.1)
    print(f"step {step} loss {loss.item():.6f} gnorm {gnorm.item():.6f}")
print("ema diff", round(sum((a - b).abs().sum().item()
                            for a, b in zip(ema.parameters(), model.parameters())), 5))

x = torch.linspace(-1, 1, 2 * 8 * 8).reshape(2, 1, 8, 8).mul(5.0).cos()
fixed = [torch.linspace(-1, 1, 2 * 64).reshape(2, 1, 8, 8).mul(k + 2.0).sin() for k in range(3)]
with torch.no_grad():
    for i, step_t in enumerate([2, 1, 0]):
        t = torch.full((2,), step_t, dtype=torch.long)
        mean, log_var = p_mean_variance(ema, x, t)
        nonzero = (t != 0).float().reshape(2, *((1,) * (x.dim() - 1)))
        x = mean + nonzero * (0.5 * log_var).exp() * fixed[i]
        print(f"sample t={step_t} mean {x.mean().item():.6f} std {x.std().item():.6f} "
              f"max {x.amax(dim=(1, 2, 3)).tolist()}")
print("final", [round(v, 5) for v in x[0, 0, 0].tolist()])
print("shape", torch.randn_like(x).shape, torch.randint(0, T, (3,)).dtype)
