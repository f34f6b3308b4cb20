"""Training steps of small programs in the style of PyTorch's examples: ember vs torch, each
framework in its own process.

The cases (the same code builds both frameworks' models, `lib` being ember or torch):
- mnist: examples/mnist's network (two 3x3 convolutions, max pooling, dropout, two linear
  layers, log_softmax), NLL loss, Adadelta; batch 32 of 1x28x28.
- vae: examples/vae's variational autoencoder (784-400-20, reparameterised), binary cross
  entropy plus KL divergence, Adam; batch 128.
- dcgan: a DCGAN generator and discriminator on 3x32x32 (4x4 stride-2 transposed and strided
  convolutions, BatchNorm, LeakyReLU), one discriminator and one generator step, BCE, Adam;
  batch 16.
- makemore: Karpathy's makemore MLP (a 27x10 embedding of 3 characters, tanh layer of 200,
  cross entropy), a minibatch of 32 indexed from the data, manual SGD on p.data; per-op overhead.
- transformer: nn.TransformerEncoder of 2 layers (width 128, 4 heads, causal mask) and a linear
  head, cross entropy, Adam; batch 16 of 64 tokens.
- attention: F.scaled_dot_product_attention, causal, over (8, 4, 128, 32) queries, keys and
  values, forward and backward.
- mlp_norms: Linear, BatchNorm1d, GELU, Dropout, Linear, LayerNorm, SiLU, Linear with label
  smoothing, AdamW; batch 256.

The processes alternate ember, torch (3 pairs) and a ratio is the median of the pair ratios (NOTE
[ Timing on a shared machine ] in benchmarks/_common.py), with torch's default threads here and
single-threaded. The torch processes run TORCH_PYTHON (default: this interpreter).

Run: python benchmarks/bench_programs.py [--cases mnist dcgan ...] [--iters 15] [--pairs 3]
                                         [--threads 2 1] [--write]
"""
import os

import numpy as np

import _common

TITLE = "bench_programs: training steps of example programs"


def mnist(lib, rng):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 32, 3, 1), nn.Conv2d(32, 64, 3, 1)
            self.dropout1, self.dropout2 = nn.Dropout(0.25), nn.Dropout(0.5)
            self.fc1, self.fc2 = nn.Linear(9216, 128), nn.Linear(128, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
            x = F.relu(self.fc1(lib.flatten(self.dropout1(x), 1)))
            return F.log_softmax(self.fc2(self.dropout2(x)), dim=1)

    net = Net()
    opt = lib.optim.Adadelta(net.parameters(), lr=1.0)
    x = lib.tensor(rng.standard_normal((32, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))

    def step():
        opt.zero_grad()
        F.nll_loss(net(x), y).backward()
        opt.step()
    return step


def vae(lib, rng):
    nn, F = lib.nn, lib.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), \
                nn.Linear(400, 20)
            self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

        def forward(self, x):
            h = F.relu(self.fc1(x.view(-1, 784)))
            mu, logvar = self.fc21(h), self.fc22(h)
            z = mu + lib.randn_like(logvar) * lib.exp(0.5 * logvar)
            return lib.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

    model = VAE()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    x = lib.tensor(rng.random((128, 1, 28, 28)).astype(np.float32))

    def step():
        opt.zero_grad()
        recon, mu, logvar = model(x)
        bce = F.binary_cross_entropy(recon, x.view(-1, 784), reduction="sum")
        kld = -0.5 * lib.sum(1 + logvar - mu.pow(2) - logvar.exp())
        (bce + kld).backward()
        opt.step()
    return step


def dcgan(lib, rng):
    nn = lib.nn
    G = nn.Sequential(
        nn.ConvTranspose2d(64, 128, 4, 1, 0, bias=False), nn.BatchNorm2d(128), nn.ReLU(True),
        nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
        nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(True),
        nn.ConvTranspose2d(32, 3, 4, 2, 1, bias=False), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(3, 32, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(32, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64),
        nn.LeakyReLU(0.2, inplace=True), nn.Conv2d(64, 1, 8, 1, 0, bias=False), nn.Sigmoid())
    criterion = nn.BCELoss()
    opt_g = lib.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
    opt_d = lib.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
    z = lib.tensor(rng.standard_normal((16, 64, 1, 1)).astype(np.float32))
    real = lib.tensor(rng.standard_normal((16, 3, 32, 32)).astype(np.float32))
    ones, zeros = lib.ones(16), lib.zeros(16)

    def step():
        D.zero_grad()
        fake = G(z)
        (criterion(D(real).view(-1), ones) + criterion(D(fake.detach()).view(-1), zeros)).backward()
        opt_d.step()
        G.zero_grad()
        criterion(D(fake).view(-1), ones).backward()
        opt_g.step()
    return step


def makemore(lib, rng):
    F = lib.nn.functional
    C, W1, b1 = lib.randn(27, 10), lib.randn(30, 200), lib.randn(200)
    W2, b2 = lib.randn(200, 27), lib.randn(27)
    params = [C, W1, b1, W2, b2]
    for p in params:
        p.requires_grad = True
    X = lib.tensor(rng.integers(0, 27, (1000, 3)))
    Y = lib.tensor(rng.integers(0, 27, 1000))

    def step():
        ix = lib.randint(0, X.shape[0], (32,))
        h = lib.tanh(C[X[ix]].view(-1, 30) @ W1 + b1)
        loss = F.cross_entropy(h @ W2 + b2, Y[ix])
        for p in params:
            p.grad = None
        loss.backward()
        for p in params:
            p.data += -0.1 * p.grad
    return step


def transformer(lib, rng):
    nn, F = lib.nn, lib.nn.functional
    layer = nn.TransformerEncoderLayer(128, 4, 512, 0.1, batch_first=True)
    encoder, head = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), nn.Linear(128, 100)
    opt = lib.optim.Adam(list(encoder.parameters()) + list(head.parameters()), 1e-3)
    x = lib.tensor(rng.standard_normal((16, 64, 128)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 100, 16 * 64))
    mask = nn.Transformer.generate_square_subsequent_mask(64)

    def step():
        opt.zero_grad()
        out = head(encoder(x, mask=mask, is_causal=True))
        F.cross_entropy(out.view(-1, 100), y).backward()
        opt.step()
    return step


def attention(lib, rng):
    q, k, v = (lib.tensor(rng.standard_normal((8, 4, 128, 32)).astype(np.float32),
                          requires_grad=True) for _ in range(3))

    def step():
        lib.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).sum().backward()
    return step


def mlp_norms(lib, rng):
    nn, F = lib.nn, lib.nn.functional
    net = nn.Sequential(nn.Linear(256, 512), nn.BatchNorm1d(512), nn.GELU(), nn.Dropout(0.1),
                        nn.Linear(512, 512), nn.LayerNorm(512), nn.SiLU(), nn.Linear(512, 10))
    opt = lib.optim.AdamW(net.parameters(), 1e-3)
    x = lib.tensor(rng.standard_normal((256, 256)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 256))

    def step():
        opt.zero_grad()
        F.cross_entropy(net(x), y, label_smoothing=0.1).backward()
        opt.step()
    return step


CASES = {"mnist": mnist, "vae": vae, "dcgan": dcgan, "makemore": makemore,
         "transformer": transformer, "attention": attention, "mlp_norms": mlp_norms}
# Cases whose step is too short for --iters steps to make a stable median (makemore's 0.3 ms:
# pair ratios 0.87-1.29 over 15 steps) take at least this many.
MIN_STEPS = {"makemore": 400, "attention": 60}


def worker(framework, case, iters):
    """The child process: time one framework's step of `case`; print `median_us=<x>`."""
    if framework == "ember":
        import ember as lib
    else:
        import torch as lib
        lib.set_num_threads(int(os.environ.get("THREADS", "2")))
    lib.manual_seed(0)
    steps = max(iters, MIN_STEPS.get(case, 0))
    _common.print_median_step(CASES[case](lib, np.random.default_rng(0)), 3, steps)


def main():
    args = _common.case_arguments(__doc__.splitlines()[0], "--cases", list(CASES), list(CASES), 15)
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return
    _common.run_cases(
        TITLE, os.path.abspath(__file__), args,
        {"steps": f"{args.iters} timed steps after 3 warm-up steps per process"},
        "The cases are described in benchmarks/bench_programs.py.")

if __name__ == "__main__":
    main()
