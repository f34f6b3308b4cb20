"""The 60-minute blitz "Training a classifier" tutorial (CIFAR10), run on ember.

Only the import lines differ from the tutorial, plus what running it offline and headless needs:
--fake (or EMBER_EXAMPLES_FAKE=1) trains on FakeData instead of downloading CIFAR10, --steps caps
the mini-batches per epoch, and figures are saved to PNG files instead of shown.
"""
import argparse
import os

import matplotlib
import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
import ember.vision as torchvision
import ember.vision.transforms as transforms

matplotlib.use("Agg")  # headless: imshow saves to a file
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--fake", action="store_true",
                    default=os.environ.get("EMBER_EXAMPLES_FAKE", "") not in ("", "0"),
                    help="use torchvision.datasets.FakeData (no download)")
parser.add_argument("--steps", type=int, default=None,
                    help="at most this many mini-batches per epoch (default: the whole set)")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--root", default="./data", help="where CIFAR10 is (or is downloaded to)")
args = parser.parse_args()

# ToTensor maps PIL images to [0, 1]; Normalize then maps each channel to [-1, 1].
transform = transforms.Compose(
    [transforms.ToTensor(),
     transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

batch_size = 4

if args.fake:
    trainset = torchvision.datasets.FakeData(size=2000, image_size=(3, 32, 32), num_classes=10,
                                             transform=transform)
    testset = torchvision.datasets.FakeData(size=200, image_size=(3, 32, 32), num_classes=10,
                                            transform=transform, random_offset=2000)
else:
    trainset = torchvision.datasets.CIFAR10(root=args.root, train=True,
                                            download=True, transform=transform)
    testset = torchvision.datasets.CIFAR10(root=args.root, train=False,
                                           download=True, transform=transform)
trainloader = torch.utils.data.DataLoader(trainset, batch_size=batch_size,
                                          shuffle=True, num_workers=2)
testloader = torch.utils.data.DataLoader(testset, batch_size=batch_size,
                                         shuffle=False, num_workers=2)

classes = ('plane', 'car', 'bird', 'cat',
           'deer', 'dog', 'frog', 'horse', 'ship', 'truck')


def imshow(img, path):
    img = img / 2 + 0.5     # unnormalize
    npimg = img.numpy()
    plt.imshow(np.transpose(npimg, (1, 2, 0)))
    plt.savefig(path)
    plt.close()


# Some random training images, shown as one grid.
dataiter = iter(trainloader)
images, labels = next(dataiter)
imshow(torchvision.utils.make_grid(images), "train_batch.png")
print(' '.join(f'{classes[labels[j]]:5s}' for j in range(batch_size)))


class Net(nn.Module):
    """LeNet for 3-channel 32x32 images."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()

criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

# The tutorial prints every 2000 mini-batches; a capped run prints a few times per epoch.
print_every = 2000 if args.steps is None else max(1, args.steps // 4)

for epoch in range(args.epochs):  # loop over the dataset multiple times

    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        if args.steps is not None and i >= args.steps:
            break
        # get the inputs; data is a list of [inputs, labels]
        inputs, labels = data

        # zero the parameter gradients
        optimizer.zero_grad()

        # forward + backward + optimize
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        # print statistics
        running_loss += loss.item()
        if i % print_every == print_every - 1:
            print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / print_every:.3f}')
            running_loss = 0.0

print('Finished Training')

PATH = './cifar_net.pth'
torch.save(net.state_dict(), PATH)

# Test images with their true labels.
dataiter = iter(testloader)
images, labels = next(dataiter)
imshow(torchvision.utils.make_grid(images), "test_batch.png")
print('GroundTruth: ', ' '.join(f'{classes[labels[j]]:5s}' for j in range(4)))

# Reload the saved weights into a fresh network.
net = Net()
net.load_state_dict(torch.load(PATH, weights_only=True))

outputs = net(images)
_, predicted = torch.max(outputs, 1)
print('Predicted: ', ' '.join(f'{classes[predicted[j]]:5s}'
                              for j in range(4)))

correct = 0
total = 0
# not training, so no gradients are needed
with torch.no_grad():
    for data in testloader:
        images, labels = data
        # calculate outputs by running images through the network
        outputs = net(images)
        # the class with the highest energy is what we choose as prediction
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

print(f'Accuracy of the network on the {total} test images: {100 * correct // total} %')

# prepare to count predictions for each class
correct_pred = {classname: 0 for classname in classes}
total_pred = {classname: 0 for classname in classes}

# again no gradients needed
with torch.no_grad():
    for data in testloader:
        images, labels = data
        outputs = net(images)
        _, predictions = torch.max(outputs, 1)
        # collect the correct predictions for each class
        for label, prediction in zip(labels, predictions):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1


# print accuracy for each class
for classname, correct_count in correct_pred.items():
    accuracy = 100 * float(correct_count) / total_pred[classname]
    print(f'Accuracy for class: {classname:5s} is {accuracy:.1f} %')

# Training on a GPU: the same code after net.to(device) and inputs.to(device).
device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')
print(device)
