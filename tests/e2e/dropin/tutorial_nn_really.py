"""The "What is torch.nn really?" tutorial, step by step: logistic regression from scratch (a
hand-written log_softmax and nll, a manual update under no_grad), then F.cross_entropy,
nn.Module with nn.Parameter, nn.Linear, optim.SGD, TensorDataset slicing, DataLoader, validation
with fit()/loss_batch()/get_data(), a CNN, nn.Sequential with a Lambda module, a
WrappedDataLoader and AdaptiveAvgPool2d.

The data: the tutorial downloads MNIST; here the 8x8 digits that ember ships (read with numpy, so
torch reads the same file) are scaled up to 28x28 and flattened to 784 features as in mnist.pkl.
Starting weights come from numpy's seeded generator (torch and ember draw different random
numbers), and the training loaders do not shuffle, for the same reason."""
import math
import os

import numpy as np

# ---------------------------------------------------------------- MNIST data setup
DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "ember",
                      "vision", "datasets", "data", "digits.npz")


def to_mnist_rows(images):
    """(n, 8, 8) values 0..16 -> (n, 784) float32 in [0, 1]: scaled up to 16x16 and centred
    in 28x28, about the ink per image of MNIST."""
    big = np.kron(images.astype(np.float32) / 16.0, np.ones((2, 2), np.float32))
    big = np.pad(big, ((0, 0), (6, 6), (6, 6)))
    return big.reshape(len(images), 784)


with np.load(DIGITS) as f:
    x_train, y_train = to_mnist_rows(f["train_images"]), f["train_labels"].astype(np.int64)
    x_valid, y_valid = to_mnist_rows(f["test_images"]), f["test_labels"].astype(np.int64)
print(x_train.shape)
rng = np.random.default_rng(0)

import torch

x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
print(x_train.shape, x_train.dtype, y_train.dtype)
print(y_train.min(), y_train.max())
print(x_train.sum().item(), y_train[:10])

# ---------------------------------------------------------------- Neural net from scratch
weights = torch.from_numpy(rng.standard_normal((784, 10)).astype(np.float32)) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 64  # batch size

xb = x_train[0:bs]  # a mini-batch from x
preds = model(xb)  # predictions
print(preds[0], preds.shape)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll

yb = y_train[0:bs]
print(loss_func(preds, yb))


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


print(accuracy(preds, yb))

lr = 0.5  # learning rate
epochs = 2  # how many epochs to train for

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

print(loss_func(model(xb), yb), accuracy(model(xb), yb))
print("weights", weights.sum().item(), weights.norm().item(), bias.norm().item())

# ---------------------------------------------------------------- Using torch.nn.functional
import torch.nn.functional as F

loss_func = F.cross_entropy


def model(xb):
    return xb @ weights + bias


print(loss_func(model(xb), yb), accuracy(model(xb), yb))

# ---------------------------------------------------------------- Refactor using nn.Module
from torch import nn


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(
            torch.from_numpy(rng.standard_normal((784, 10)).astype(np.float32)) / math.sqrt(784))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
print(loss_func(model(xb), yb))


def fit():
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
print(loss_func(model(xb), yb))
print("grads after zero_grad", [p.grad for p in model.parameters()])


# ---------------------------------------------------------------- Refactor using nn.Linear
def numpy_init(module, seed=None):
    """nn.Linear/nn.Conv2d draw their default init from torch's generator; use numpy's (with the
    bounds of torch's default init)."""
    gen = rng if seed is None else np.random.default_rng(seed)
    with torch.no_grad():
        for p in module.parameters():
            fan_in = p[0].numel() if p.dim() > 1 else p.numel()
            bound = 1 / math.sqrt(fan_in)
            p.copy_(torch.from_numpy(gen.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))
    return module


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(784, 10)

    def forward(self, xb):
        return self.lin(xb)


model = numpy_init(Mnist_Logistic())
print(loss_func(model(xb), yb))
fit()
print(loss_func(model(xb), yb))

# ---------------------------------------------------------------- Refactor using optim
from torch import optim


def get_model():
    model = numpy_init(Mnist_Logistic())
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
print(loss_func(model(xb), yb))

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))

# ---------------------------------------------------------------- Refactor using Dataset
from torch.utils.data import TensorDataset

train_ds = TensorDataset(x_train, y_train)
print("train_ds", len(train_ds), [tuple(t.shape) for t in train_ds[0]], train_ds[3][1])

model, opt = get_model()

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = train_ds[i * bs: i * bs + bs]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))

# ---------------------------------------------------------------- Refactor using DataLoader
from torch.utils.data import DataLoader

train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs)

model, opt = get_model()

for epoch in range(epochs):
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

print(loss_func(model(xb), yb))

# ---------------------------------------------------------------- Add validation
# The tutorial shuffles the training loader; a shuffled epoch still visits every sample once.
shuffled = DataLoader(train_ds, batch_size=bs, shuffle=True)
seen = torch.cat([yb for _, yb in shuffled])
print("shuffled epoch", len(shuffled), seen.shape,
      torch.equal(seen.sort().values, y_train.sort().values))

train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs, shuffle=False)

valid_ds = TensorDataset(x_valid, y_valid)
valid_dl = DataLoader(valid_ds, batch_size=bs * 2)

model, opt = get_model()

for epoch in range(epochs):
    model.train()
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()

    model.eval()
    with torch.no_grad():
        valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)

    print(epoch, valid_loss / len(valid_dl))


# ---------------------------------------------------------------- Create fit() and get_data()
def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)

        print(epoch, val_loss)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=False),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
fit(epochs, model, loss_func, opt, train_dl, valid_dl)


# ---------------------------------------------------------------- Switch to CNN
class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


lr = 0.1

model = numpy_init(Mnist_CNN())
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)


# ---------------------------------------------------------------- nn.Sequential
class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 28, 28)


model = nn.Sequential(
    Lambda(preprocess),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AvgPool2d(4),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
numpy_init(model)
print(model)

opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)


# ---------------------------------------------------------------- Wrapping DataLoader
def preprocess(x, y):
    return x.view(-1, 1, 28, 28), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        batches = iter(self.dl)
        for b in batches:
            yield (self.func(*b))


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess)
valid_dl = WrappedDataLoader(valid_dl, preprocess)

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
numpy_init(model, seed=1)

opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(epochs, model, loss_func, opt, train_dl, valid_dl)

# ---------------------------------------------------------------- Using your GPU
print(torch.cuda.is_available())

dev = torch.device(
    "cuda") if torch.cuda.is_available() else torch.device("cpu")


# The batches and the model also move to float64 here, and the model starts again from its
# initial weights and trains longer: once the CNN leaves the loss plateau at log(10), rounding
# differences (float32 ones differ between any two conv implementations) grow by orders of
# magnitude, and only float64 from identical weights keeps torch and ember together.
def preprocess(x, y):
    return x.view(-1, 1, 28, 28).to(dev, torch.float64), y.to(dev)


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess)
valid_dl = WrappedDataLoader(valid_dl, preprocess)

model.to(dev, torch.float64)
numpy_init(model, seed=1)
print(next(model.parameters()).dtype, next(iter(train_dl))[0].dtype)
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)

fit(6, model, loss_func, opt, train_dl, valid_dl)

# the final parameters and predictions
with torch.no_grad():
    for name, p in model.named_parameters():
        print(name, tuple(p.shape), p.sum().item(), p.norm().item())
    xb, yb = next(iter(valid_dl))
    out = model(xb)
    print("valid batch", tuple(out.shape), out[:2].tolist(), accuracy(out, yb).item())
