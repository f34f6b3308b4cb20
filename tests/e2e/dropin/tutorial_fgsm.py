"""The "Adversarial Example Generation" tutorial: the fast gradient sign method against an MNIST
classifier. The pytorch/examples MNIST Net (two convolutions, dropout, log_softmax) is trained and
saved first (the tutorial downloads its weights), loaded back with map_location and
weights_only=True, put in eval mode; then for each epsilon and each test image: requires_grad on
the input, nll_loss, model.zero_grad(), backward, data.grad's sign, denormalise, perturb, clamp
to [0, 1], normalise again and classify; accuracies and adversarial examples per epsilon.

The data: the 8x8 digits that ember ships (read with numpy, so torch reads the same file), scaled
to 16x16 in a 28x28 image with a little noise (on a constant background, max pooling picks among
exactly equal values, and which one wins depends on the convolution's rounding), through a Dataset
that does what ToTensor + Normalize do (torchvision is not needed). Weights start from numpy's
generator and the loaders do not shuffle (torch and ember draw different random numbers); the
training runs in eval mode, so that dropout draws no masks."""
import math
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

DIGITS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "ember",
                      "vision", "datasets", "data", "digits.npz")
rng = np.random.default_rng(0)


class Digits28(torch.utils.data.Dataset):
    def __init__(self, train, n):
        with np.load(DIGITS) as f:
            split = "train" if train else "test"
            images, labels = f[f"{split}_images"][:n], f[f"{split}_labels"][:n]
        big = np.kron(images.astype(np.float32) / 16.0, np.ones((2, 2), np.float32))
        big = np.pad(big, ((0, 0), (6, 6), (6, 6)))
        noisy = np.clip(big + rng.uniform(0, 0.1, big.shape).astype(np.float32), 0, 1)
        self.data = torch.from_numpy(noisy).unsqueeze(1)  # what ToTensor() gives: [0, 1]
        self.targets = torch.from_numpy(labels.astype(np.int64))

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return normalize(self.data[index]), int(self.targets[index])


def normalize(batch, mean=0.1307, std=0.3081):
    """transforms.Normalize((0.1307,), (0.3081,))"""
    return (batch - mean) / std


epsilons = [0, .05, .1, .15, .2, .25, .3]
pretrained_model = "lenet_mnist_model.pth"
torch.manual_seed(42)


# LeNet Model definition
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


# ---------------------------------------------------------------- the pretrained model
# (pytorch/examples/mnist's training loop: Adadelta, StepLR, nll_loss)
def numpy_init(module):
    with torch.no_grad():
        for p in module.parameters():
            fan_in = p[0].numel() if p.dim() > 1 else p.numel()
            bound = 1 / math.sqrt(fan_in)
            p.copy_(torch.from_numpy(rng.uniform(-bound, bound, tuple(p.shape)).astype(np.float32)))
    return module


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
train_loader = torch.utils.data.DataLoader(Digits28(train=True, n=640), batch_size=64)
net = numpy_init(Net()).to(device)
optimizer = optim.Adadelta(net.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 4):
    net.eval()  # the example calls model.train(); eval mode keeps dropout from drawing masks
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = net(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 5 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
    scheduler.step()
tmp = tempfile.TemporaryDirectory()
pretrained_model = os.path.join(tmp.name, pretrained_model)
torch.save(net.state_dict(), pretrained_model)

# ---------------------------------------------------------------- the tutorial
# MNIST Test dataset and dataloader declaration
test_loader = torch.utils.data.DataLoader(Digits28(train=False, n=120), batch_size=1, shuffle=False)

# We want to be able to train our model on an `accelerator <https://pytorch.org/docs/stable/torch.html#accelerators>`__
# such as CUDA, MPS, MTIA, or XPU. If the current accelerator is available, we will use it. Otherwise, we use the CPU.
device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")

# Initialize the network
model = Net().to(device)

# Load the pretrained model
model.load_state_dict(torch.load(pretrained_model, map_location=device, weights_only=True))

# Set the model in evaluation mode. In this case this is for the Dropout layers
model.eval()
print(model.training, model.dropout1.training, all(torch.equal(a, b) for a, b in
                                                   zip(model.parameters(), net.parameters())))


# FGSM attack code
def fgsm_attack(image, epsilon, data_grad):
    # Collect the element-wise sign of the data gradient
    sign_data_grad = data_grad.sign()
    # Create the perturbed image by adjusting each pixel of the input image
    perturbed_image = image + epsilon*sign_data_grad
    # Adding clipping to maintain [0,1] range
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    # Return the perturbed image
    return perturbed_image


# restores the tensors to their original scale
def denorm(batch, mean=[0.1307], std=[0.3081]):
    """
    Convert a batch of tensors to their original scale.

    Args:
        batch (torch.Tensor): Batch of normalized tensors.
        mean (torch.Tensor or list): Mean used for normalization.
        std (torch.Tensor or list): Standard deviation used for normalization.

    Returns:
        torch.Tensor: batch of tensors without normalization applied to them.
    """
    if isinstance(mean, list):
        mean = torch.tensor(mean).to(device)
    if isinstance(std, list):
        std = torch.tensor(std).to(device)

    return batch * std.view(1, -1, 1, 1) + mean.view(1, -1, 1, 1)


def test(model, device, test_loader, epsilon):

    # Accuracy counter
    correct = 0
    adv_examples = []
    changed = 0.0

    # Loop over all examples in test set
    for data, target in test_loader:

        # Send the data and label to the device
        data, target = data.to(device), target.to(device)

        # Set requires_grad attribute of tensor. Important for Attack
        data.requires_grad = True

        # Forward pass the data through the model
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability

        # If the initial prediction is wrong, don't bother attacking, just move on
        if init_pred.item() != target.item():
            continue

        # Calculate the loss
        loss = F.nll_loss(output, target)

        # Zero all existing gradients
        model.zero_grad()

        # Calculate gradients of model in backward pass
        loss.backward()

        # Collect ``datagrad``
        data_grad = data.grad.data

        # Restore the data to its original scale
        data_denorm = denorm(data)

        # Call FGSM Attack
        perturbed_data = fgsm_attack(data_denorm, epsilon, data_grad)

        # Reapply normalization
        perturbed_data_normalized = normalize(perturbed_data)

        # Re-classify the perturbed image
        output = model(perturbed_data_normalized)
        changed += (perturbed_data - data_denorm).abs().sum().item()

        # Check for success
        final_pred = output.max(1, keepdim=True)[1]  # get the index of the max log-probability
        if final_pred.item() == target.item():
            correct += 1
            # Special case for saving 0 epsilon examples
            if epsilon == 0 and len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))
        else:
            # Save some adv examples for visualization later
            if len(adv_examples) < 5:
                adv_ex = perturbed_data.squeeze().detach().cpu().numpy()
                adv_examples.append((init_pred.item(), final_pred.item(), adv_ex))

    # Calculate final accuracy for this epsilon
    final_acc = correct/float(len(test_loader))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(test_loader)} = {final_acc}"
          f"\t(total change {changed:.3f})")

    # Return the accuracy and an adversarial example
    return final_acc, adv_examples


accuracies = []
examples = []

# Run test for each epsilon
for eps in epsilons:
    acc, ex = test(model, device, test_loader, eps)
    accuracies.append(acc)
    examples.append(ex)

# What the tutorial plots: accuracy against epsilon, and the examples as "orig -> adv" images
print("accuracies", accuracies)
for i in range(len(epsilons)):
    print("Eps: {}".format(epsilons[i]), [f"{orig} -> {adv}" for orig, adv, _ in examples[i]],
          [(ex.shape, str(ex.dtype), float(ex.mean())) for _, _, ex in examples[i][:2]])
print("grads left on the weights", model.conv1.weight.grad.abs().sum().item() > 0,
      model.fc2.weight.grad.shape)
tmp.cleanup()
