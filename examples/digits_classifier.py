"""Training an image classifier in ember on the handwritten digits that ship with it
(ember.vision.datasets.Digits: 1438 training and 359 test images, no download).

The script loads both splits as tensors, batches them with a DataLoader, trains a small
convolutional network for a few epochs with Adam, and reports the test accuracy overall and for
each digit. It takes a few seconds on one CPU core.

Run with `python examples/digits_classifier.py [--epochs N] [--save PATH]`. `main()` returns
the losses and accuracies it prints.
"""
import argparse
import time

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset
from ember.vision.datasets import Digits

SIZE = 16   # the 8x8 originals scaled to 16x16: two 2x poolings leave a 4x4 map


def load_split(train, mean=None, std=None):
    """One split as (images, labels): float images (N, 1, SIZE, SIZE), standardised with the
    training split's mean and std, and int64 labels (N,).

    Indexing the dataset (Digits(...)[i]) gives PIL images for torchvision-style transforms;
    here the whole split is already one uint8 tensor, `data`, so we convert it in one go."""
    split = Digits(train=train, size=SIZE)
    images = split.data.unsqueeze(1).float() / 255      # (N, SIZE, SIZE) -> (N, 1, SIZE, SIZE)
    if mean is None:
        mean, std = images.mean().item(), images.std().item()
    return (images - mean) / std, split.targets, mean, std


class DigitNet(nn.Module):
    """Two conv + pool stages, then two linear layers; dropout only while training."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)      # (N, 8, 16, 16), pooled to 8x8
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)     # (N, 16, 8, 8), pooled to 4x4
        self.fc1 = nn.Linear(16 * 4 * 4, 64)
        self.fc2 = nn.Linear(64, 10)
        self.drop = nn.Dropout(0.25)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return self.fc2(x)


def train_one_epoch(model, loader, optimizer):
    """One pass over the training batches; returns the mean loss per image."""
    model.train()                          # dropout on
    total, seen = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        seen += len(labels)
    return total / seen


@ember.no_grad()
def evaluate(model, images, labels):
    """On a whole split at once: the accuracy overall and, for each class, (hits, images)."""
    model.eval()                           # dropout off
    predicted = model(images).argmax(dim=1)
    hits = predicted == labels
    per_class = [(int(hits[labels == c].sum()), int((labels == c).sum())) for c in range(10)]
    return hits.float().mean().item(), per_class


def main(epochs=4, batch_size=32, lr=3e-3, seed=0, save=None):
    ember.manual_seed(seed)
    start = time.perf_counter()
    train_x, train_y, mean, std = load_split(train=True)
    test_x, test_y, _, _ = load_split(train=False, mean=mean, std=std)
    print(f"train {tuple(train_x.shape)}, test {tuple(test_x.shape)}, "
          f"pixel mean {mean:.3f}, std {std:.3f}")

    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=batch_size, shuffle=True)
    model = DigitNet()
    optimizer = ember.optim.Adam(model.parameters(), lr=lr)
    losses, accuracies = [], []
    for epoch in range(1, epochs + 1):
        losses.append(train_one_epoch(model, loader, optimizer))
        accuracies.append(evaluate(model, test_x, test_y)[0])
        print(f"epoch {epoch}: training loss {losses[-1]:.4f}, test accuracy {accuracies[-1]:.1%}")

    overall, per_class = evaluate(model, test_x, test_y)
    for digit, (right, n) in enumerate(per_class):
        print(f"  digit {digit}: {right:2d} of {n} right ({right / n:6.1%})")
    seconds = time.perf_counter() - start
    print(f"test accuracy {overall:.1%} after {epochs} epochs ({seconds:.1f} s)")
    if save:
        ember.save(model.state_dict(), save)   # reload with model.load_state_dict(ember.load(save))
        print(f"weights saved to {save}")
    return {"losses": losses, "accuracies": accuracies, "overall": overall,
            "per_class": per_class, "seconds": seconds}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--save", metavar="PATH", help="write the trained weights here")
    args = parser.parse_args()
    main(epochs=args.epochs, save=args.save)
