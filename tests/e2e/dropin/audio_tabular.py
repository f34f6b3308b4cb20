"""Audio and tabular data. Audio: a Conv1d/BatchNorm1d/pooling classifier over fixed waveforms, an
STFT log-mel front end feeding a GRU, reflect padding with unfold framing checked against stft, rfft
and istft round trips, a dilated grouped conv1d. Tabular: TensorDataset/DataLoader batches,
random_split and samplers (sizes only), categorical embeddings beside normalised continuous features,
an MLP trained with BCEWithLogitsLoss(pos_weight), accuracy, a rank AUC, quantile/bucketize/histc."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import (DataLoader, SubsetRandomSampler, TensorDataset, WeightedRandomSampler,
                              random_split)


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.2 + 0.01 * i)


def r(t, n=5):
    return [round(v, n) for v in t.flatten().tolist()]


# ---------------------------------------------------------------- audio
N, N_FFT, HOP = 400, 64, 16
t = torch.arange(N, dtype=torch.float32) / 8000.0
wave = torch.stack([torch.sin(2 * math.pi * f * t) * (0.5 + 0.1 * k) + 0.05 * torch.cos(
    2 * math.pi * 3 * f * t) for k, f in enumerate([300.0, 700.0, 1200.0, 2100.0])])
labels = torch.tensor([0, 1, 2, 1])


class AudioNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 8, kernel_size=9, stride=2, padding=4), nn.BatchNorm1d(8), nn.ReLU(),
            nn.MaxPool1d(4), nn.Conv1d(8, 12, kernel_size=5, dilation=2), nn.BatchNorm1d(12),
            nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        return self.head(self.features(x.unsqueeze(1)).flatten(1))


net = AudioNet()
init(net)
opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
for step in range(3):
    loss = F.cross_entropy(net(wave), labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"audio step {step} loss {loss.item():.6f}")
net.eval()
bn = net.features[1]
print("bn running", r(bn.running_mean[:4]), r(bn.running_var[:4]), bn.num_batches_tracked.item())
with torch.no_grad():
    print("eval logits", r(net(wave), 4))

window = torch.hann_window(N_FFT)
spec = torch.stft(wave, n_fft=N_FFT, hop_length=HOP, window=window, return_complex=True)
mag = spec.abs()
print("stft", spec.shape, spec.dtype, mag.dtype, round(mag.sum().item(), 3),
      round((mag ** 2).mean().item(), 4))
n_freqs, n_mels = N_FFT // 2 + 1, 8
centers = torch.linspace(0, n_freqs - 1, n_mels + 2)
bins = torch.arange(n_freqs, dtype=torch.float32)
lower = (bins - centers[:-2, None]) / (centers[1:-1, None] - centers[:-2, None])
upper = (centers[2:, None] - bins) / (centers[2:, None] - centers[1:-1, None])
fbank = torch.clamp(torch.minimum(lower, upper), min=0.0)
log_mel = torch.log1p(fbank @ mag ** 2)
print("log mel", log_mel.shape, r(log_mel.mean(-1)[0]), round(log_mel.std().item(), 5))

# Framing by hand: reflect-pad, unfold into windows, rfft, and compare with stft.
padded = F.pad(wave.unsqueeze(1), (N_FFT // 2, N_FFT // 2), mode="reflect").squeeze(1)
frames = padded.unfold(-1, N_FFT, HOP)
manual = torch.fft.rfft(frames * window, dim=-1).transpose(1, 2)
print("frames", frames.shape, "manual == stft", torch.allclose(manual, spec, atol=1e-4))
back = torch.fft.irfft(torch.fft.rfft(wave), n=N)
print("rfft round trip", round((back - wave).abs().max().item(), 5))
recon = torch.istft(spec, n_fft=N_FFT, hop_length=HOP, window=window, length=N)
print("istft", recon.shape, round((recon - wave).abs().max().item(), 5))

weight = torch.arange(4 * 2 * 3, dtype=torch.float32).reshape(4, 2, 3).cos() * 0.3
dil = F.conv1d(wave.reshape(1, 4, N)[:, :, :40], weight, bias=torch.tensor([0.1, 0.0, -0.1, 0.2]),
               dilation=3, groups=2, padding=2)
print("dilated grouped conv", dil.shape, r(dil[0, :, :3], 5))


class FrameGRU(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(n_mels, 10, batch_first=True)
        self.out = nn.Linear(10, 3)

    def forward(self, feats):
        seq, h = self.gru(feats.transpose(1, 2))
        return self.out(h[-1]), seq


gain = nn.Parameter(torch.ones(1))
tagger = FrameGRU()
init(tagger)
opt = torch.optim.Adam(list(tagger.parameters()) + [gain], lr=0.01)
for step in range(3):
    s = torch.stft(wave * gain, n_fft=N_FFT, hop_length=HOP, window=window, return_complex=True)
    feats = torch.log1p(fbank @ s.abs() ** 2)
    logits, seq = tagger(feats)
    loss = F.cross_entropy(logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"gru step {step} loss {loss.item():.6f} seq {tuple(seq.shape)} gain {gain.item():.6f}")

# ---------------------------------------------------------------- tabular
rs = np.random.RandomState(0)
rows = 70
cat_a = rs.randint(0, 5, size=rows)
cat_b = rs.randint(0, 3, size=rows)
cont = rs.normal(size=(rows, 4)).astype(np.float32) * np.array([1.0, 5.0, 0.1, 2.0], np.float32)
score = cont[:, 0] + 0.2 * cont[:, 1] + (cat_a == 2) - 0.5 * (cat_b == 1)
target = (score > 0.8).astype(np.float32)

x_cat = torch.from_numpy(np.stack([cat_a, cat_b], 1)).long()
x_cont = torch.from_numpy(cont)
y = torch.from_numpy(target)
mean, std = x_cont.mean(0), x_cont.std(0, unbiased=False)
print("stats", r(mean, 4), r(std, 4), r(x_cont.std(0, unbiased=True), 4))
x_norm = (x_cont - mean) / std
low, high = x_cont.min(axis=0, keepdims=True).values, x_cont.amax(axis=0, keepdims=True)
print("min-max", r(((x_cont - low) / (high - low)).mean(axis=0), 5), low.shape)

dataset = TensorDataset(x_cat, x_norm, y)
loader = DataLoader(dataset, batch_size=16, shuffle=False, drop_last=True)
print("dataset", len(dataset), "batches", len(loader), [tuple(b.shape) for b in dataset[3]])
train, valid = random_split(dataset, [56, 14], generator=torch.Generator().manual_seed(7))
a, b, c = random_split(range(10), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(1))
print("split", len(train), len(valid), len(a), len(b), len(c))
pos = y.sum()
weights = torch.where(y > 0, 1.0 / pos, 1.0 / (rows - pos))
sampler = WeightedRandomSampler(weights, num_samples=32, replacement=True)
subset = SubsetRandomSampler(list(range(0, rows, 3)))
print("samplers", len(sampler), len(subset), len(list(iter(sampler))),
      len(DataLoader(dataset, batch_size=8, sampler=subset)))


class TabularNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb_a = nn.Embedding(5, 3)
        self.emb_b = nn.Embedding(3, 2)
        self.mlp = nn.Sequential(nn.Linear(9, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(p=0.0),
                                 nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1))

    def forward(self, cats, conts):
        x = torch.cat([self.emb_a(cats[:, 0]), self.emb_b(cats[:, 1]), conts], dim=1)
        return self.mlp(x).squeeze(1)


model = TabularNet()
init(model)
criterion = nn.BCEWithLogitsLoss(pos_weight=(rows - pos) / pos)
opt = torch.optim.Adam(model.parameters(), lr=0.02, weight_decay=1e-4)
print("pos weight", round(criterion.pos_weight.item(), 5))
for epoch in range(4):
    model.train()
    total = 0.0
    for cats, conts, yb in loader:
        loss = criterion(model(cats, conts), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * yb.shape[0]
    print(f"epoch {epoch} loss {total / (len(loader) * 16):.6f}")

model.eval()
with torch.no_grad():
    prob = torch.sigmoid(model(x_cat, x_norm))
pred = (prob > 0.5).float()
print("accuracy", round((pred == y).float().mean().item(), 5), "positives", int(pred.sum().item()))
order = torch.argsort(prob, descending=True)
hits = y[order]
tpr = torch.cumsum(hits, 0) / hits.sum()
fpr = torch.cumsum(1 - hits, 0) / (1 - hits).sum()
auc = torch.trapz(tpr, fpr)
print("auc", round(auc.item(), 5), r(tpr[:5], 4))
qs = torch.quantile(x_cont, torch.tensor([0.1, 0.5, 0.9]), dim=0)
print("quantiles", qs.shape, r(qs, 4), round(torch.quantile(prob, 0.75).item(), 5))
buckets = torch.bucketize(x_cont[:, 0].contiguous(), qs[:, 0].contiguous())
print("buckets", torch.bincount(buckets).tolist(), buckets[:10].tolist(),
      torch.bucketize(torch.tensor([0.0, 1.0]), torch.tensor([0.0, 1.0]), right=True).tolist())
print("histc", torch.histc(prob, bins=5, min=0, max=1).tolist(), torch.histc(x_cont[:, 1], bins=4))
