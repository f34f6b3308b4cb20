"""The "Spatial Transformer Networks" tutorial: an MNIST classifier whose input first goes
through a spatial transformer, a localisation CNN (Conv2d, MaxPool2d, ReLU(True)) and a regressor
for the 2x3 affine matrix initialised to the identity, F.affine_grid + F.grid_sample (default
align_corners), then the usual LeNet-style head with log_softmax; SGD on nll_loss, a test pass
summing the loss with size_average=False, and the transformer applied to a test batch.

The data: the tutorial downloads MNIST; here the 8x8 digits that ember ships (read with numpy, so
torch reads the same file) are scaled to 16x16 and placed at shifted positions in a 28x28 image,
through a Dataset that does what ToTensor + Normalize((0.1307,), (0.3081,)) do. Dropout is 0 (the
masks come from the random generator, which ember does not reproduce; a separate check looks at
what Dropout2d does with p=0.5), weights start from numpy's generator, and the loaders do not
shuffle, for the same reason."""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "ember",
                      "vision", "datasets", "data", "digits.npz")
rng = np.random.default_rng(0)


def shifted_28x28(images, max_shift):
    """(n, 8, 8) values 0..16 -> (n, 28, 28) uint8: scaled to 16x16, placed off centre."""
    big = np.kron(images, np.ones((2, 2), np.uint8)) * 15
    out = np.zeros((len(images), 28, 28), np.uint8)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))
    for i, (dy, dx) in enumerate(shifts):
        out[i, 6 + dy:22 + dy, 6 + dx:22 + dx] = big[i]
    return out


class ShiftedDigits(torch.utils.data.Dataset):
    """MNIST-like: uint8 images in .data, labels in .targets, normalised float images out."""

    def __init__(self, train):
        with np.load(DIGITS) as f:
            split = "train" if train else "test"
            images, labels = f[f"{split}_images"], f[f"{split}_labels"]
        n = 512 if train else 256
        self.data = torch.from_numpy(shifted_28x28(images[:n], 5))
        self.targets = torch.from_numpy(labels[:n].astype(np.int64))
        # A little noise: on a constant background, max pooling picks among exactly equal
        # values, and which one wins then depends on the convolution's rounding.
        self.noise = torch.from_numpy(rng.normal(0, 0.05, (n, 1, 28, 28)).astype(np.float32))

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        dtype = torch.get_default_dtype()  # float32, then float64 for the second run
        img = self.data[index].to(dtype).div(255).unsqueeze(0)  # ToTensor()
        img = (img - 0.1307) / 0.3081  # Normalize((0.1307,), (0.3081,))
        return img + self.noise[index].to(dtype), int(self.targets[index])


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# Training dataset
train_loader = torch.utils.data.DataLoader(ShiftedDigits(train=True), batch_size=64,
                                           shuffle=False, num_workers=0)
# Test dataset
test_loader = torch.utils.data.DataLoader(ShiftedDigits(train=False), batch_size=64,
                                          shuffle=False, num_workers=0)
print(len(train_loader.dataset), len(test_loader.dataset), len(train_loader))
xb, yb = next(iter(train_loader))
print(xb.shape, xb.dtype, yb[:8], yb.dtype, xb.mean().item(), xb.std().item())

DROPOUT = 0.0  # the tutorial uses the default p=0.5


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d(DROPOUT)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

        # Spatial transformer localization-network
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True)
        )

        # Regressor for the 3 * 2 affine matrix
        self.fc_loc = nn.Sequential(
            nn.Linear(10 * 3 * 3, 32),
            nn.ReLU(True),
            nn.Linear(32, 3 * 2)
        )

        # Initialize the weights/bias with identity transformation
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))

    # Spatial transformer network forward function
    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)

        grid = F.affine_grid(theta, x.size())
        x = F.grid_sample(x, grid)

        return x

    def forward(self, x):
        # transform the input
        x = self.stn(x)

        # Perform the usual forward pass
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, p=DROPOUT, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def numpy_init(*modules):
    """Default init draws from torch's generator; use numpy's, with torch's default bounds."""
    with torch.no_grad():
        for module in modules:
            for p in module.parameters():
                fan_in = p[0].numel() if p.dim() > 1 else p.numel()
                bound = 1 / math.sqrt(fan_in)
                values = rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)
                p.copy_(torch.from_numpy(values))


model = Net().to(device)
numpy_init(model.conv1, model.conv2, model.fc1, model.fc2, model.localization, model.fc_loc[0])
print(model.fc_loc[2].weight.abs().sum().item(), model.fc_loc[2].bias.tolist())

# The identity transformation leaves the images as they are (up to bilinear sampling)
with torch.no_grad():
    same = model.stn(xb)
print("identity stn", same.shape, (same - xb).abs().max().item())

optimizer = optim.SGD(model.parameters(), lr=0.01)


def train(epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)

        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 2 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


#
# A simple test procedure to measure the STN performances on MNIST.
#


def test():
    with torch.no_grad():
        model.eval()
        test_loss = 0
        correct = 0
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)

            # sum up batch loss
            test_loss += F.nll_loss(output, target, size_average=False).item()
            # get the index of the max log-probability
            pred = output.max(1, keepdim=True)[1]
            correct += pred.eq(target.view_as(pred)).sum().item()

        test_loss /= len(test_loader.dataset)
        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'
              .format(test_loss, correct, len(test_loader.dataset),
                      100. * correct / len(test_loader.dataset)))


for epoch in range(1, 2 + 1):
    train(epoch)
    test()
for name, p in model.named_parameters():
    print(name, p.dtype, p.norm().item(), p.grad.norm().item())

# Again in float64, for longer. In float32 the runs part after some 20 steps: max pooling's
# choice between nearly equal values and the rounding of theta @ grid go one way or the other in
# each library, and later gradients differ by a percent. In float64 they stay together.
torch.set_default_dtype(torch.float64)
model = Net().to(device)
numpy_init(model.conv1, model.conv2, model.fc1, model.fc2, model.localization, model.fc_loc[0])
optimizer = optim.SGD(model.parameters(), lr=0.01)
print(next(model.parameters()).dtype, next(iter(train_loader))[0].dtype)
for epoch in range(1, 5 + 1):
    train(epoch)
    test()

# What the tutorial visualises: a test batch before and after the learned transformer
with torch.no_grad():
    data = next(iter(test_loader))[0].to(device)
    input_tensor = data.cpu()
    xs = model.localization(data).view(-1, 10 * 3 * 3)
    theta = model.fc_loc(xs).view(-1, 2, 3)
    transformed_input_tensor = model.stn(data).cpu()
print("theta", theta[:2].tolist())
print("transformed", tuple(transformed_input_tensor.shape), transformed_input_tensor.mean().item(),
      transformed_input_tensor.std().item(),
      (transformed_input_tensor - input_tensor).abs().mean().item())
inp = transformed_input_tensor[0].numpy().transpose((1, 2, 0))  # convert_image_np
print("image", inp.shape, inp.dtype, float(np.clip(0.3081 * inp + 0.1307, 0, 1).mean()))

for name, p in model.named_parameters():
    print(name, tuple(p.shape), p.sum().item(), p.norm().item(), p.grad.norm().item())

# Gradients through grid_sample reach the input as well as theta
x = xb[:4].clone().requires_grad_(True)
theta = torch.tensor([[[0.9, 0.1, 0.05], [-0.1, 1.1, -0.1]]], dtype=x.dtype).repeat(4, 1, 1)
theta.requires_grad_(True)
out = F.grid_sample(x, F.affine_grid(theta, x.size(), align_corners=False), align_corners=False)
(out * torch.linspace(-1, 1, 28, dtype=x.dtype)).sum().backward()
print("grid_sample grads", x.grad.abs().sum().item(), theta.grad.tolist())

# Dropout2d with the tutorial's p=0.5: whole channels are zeroed, the rest scaled by 2
drop = nn.Dropout2d()
h = torch.ones(8, 20, 4, 4)
d = drop(h)
per_channel = d.view(8, 20, 16)
print("dropout2d", drop.p, bool(((per_channel == 0) | (per_channel == 2)).all()),
      bool((per_channel.amax(2) == per_channel.amin(2)).all()))
drop.eval()
print("dropout2d eval", torch.equal(drop(h), h))
