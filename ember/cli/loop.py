"""One training epoch and one evaluation pass over the test set."""
from dataclasses import dataclass, field

import numpy as np

import ember


def train_epoch(net, loader, criterion, optimizer, device, bar, processes=1):
    """Train on every batch of `loader`, advancing `bar` by the number of images (so it shows
    images per second; each of `processes` processes trains a batch like this one) and showing
    the running loss; returns the loss of each batch."""
    net.train()
    losses = []
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(net(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        bar.update(len(labels) * processes)
        bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}", refresh=False)
    return losses


@dataclass
class Evaluation:
    correct: list
    total: list
    images: np.ndarray = None  # the first test images, normalised, (N, C, H, W)
    labels: list = field(default_factory=list)
    predictions: list = field(default_factory=list)

    @property
    def accuracy(self):
        return sum(self.correct) / max(sum(self.total), 1)


def evaluate(net, loader, device, num_classes, keep=32):
    """Accuracy on `loader`, overall and per class, and the first `keep` images with their
    labels and predictions."""
    net.eval()
    result = Evaluation([0] * num_classes, [0] * num_classes)
    with ember.no_grad():
        for images, labels in loader:
            predicted = net(images.to(device)).argmax(1).tolist()
            labels = labels.tolist()
            for label, guess in zip(labels, predicted):
                result.total[label] += 1
                result.correct[label] += label == guess
            if result.images is None:
                result.images = np.asarray(images)[:keep]
                result.labels, result.predictions = labels[:keep], predicted[:keep]
    return result
