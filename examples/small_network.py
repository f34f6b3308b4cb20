"""A small convolutional network in ember: defining it as an nn.Module, looking at its
parameters, computing a loss, and taking gradient steps twice over, once by hand and once
with an optimizer, to see that they are the same update.

Run with `python examples/small_network.py`. `main()` returns the numbers the script reports.
"""
import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim


class PatchNet(nn.Module):
    """Classifies 1x16x16 images into `classes` classes.

    Shapes through the network, for a batch of N:
      (N, 1, 16, 16) -conv 3x3, pad 1-> (N, 4, 16, 16) -max pool 2-> (N, 4, 8, 8)
      -conv 3x3, pad 1-> (N, 8, 8, 8) -max pool 2-> (N, 8, 4, 4) -flatten-> (N, 128)
      -linear-> (N, 32) -linear-> (N, classes)
    """

    def __init__(self, classes=3):
        super().__init__()
        # Layers assigned as attributes are registered: their parameters become ours.
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.hidden = nn.Linear(8 * 4 * 4, 32)
        self.out = nn.Linear(32, classes)

    def forward(self, images):
        x = self.features(images).flatten(1)   # keep the batch dimension, merge the rest
        return self.out(F.relu(self.hidden(x)))


def toy_batch(n=12, classes=3):
    """Images whose class is where a bright square sits: top-left, centre or bottom-right."""
    images = 0.1 * ember.randn(n, 1, 16, 16)
    labels = ember.arange(n) % classes
    for i, label in enumerate(labels.tolist()):
        corner = 2 + 4 * label
        images[i, 0, corner:corner + 4, corner:corner + 4] += 1.0
    return images, labels


def manual_sgd_step(model, images, labels, lr):
    """One plain gradient-descent step written out: p <- p - lr * dloss/dp. Returns the loss."""
    model.zero_grad()
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    with ember.no_grad():                 # the update itself must not be recorded
        for p in model.parameters():
            p -= lr * p.grad
    return loss.item()


def main(steps=10, lr=0.5):
    ember.manual_seed(0)
    model = PatchNet()
    print(model)
    # parameters() yields every weight and bias of every registered layer.
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    count = sum(p.numel() for p in model.parameters())
    print(f"{len(shapes)} parameter tensors, {count} numbers; "
          f"first conv weight {shapes['features.0.weight']}")

    images, labels = toy_batch()
    logits = model(images)
    loss = F.cross_entropy(logits, labels)
    print(f"logits {tuple(logits.shape)}, initial loss {loss.item():.4f} "
          f"(chance level ln 3 = 1.0986), loss.grad_fn = {type(loss.grad_fn).__name__}")

    # Two copies with the same starting weights: one stepped by hand, one by optim.SGD.
    twin = PatchNet()
    twin.load_state_dict(model.state_dict())
    optimizer = optim.SGD(twin.parameters(), lr=lr)
    manual, stepped = [], []
    for _ in range(steps):
        manual.append(manual_sgd_step(model, images, labels, lr))
        optimizer.zero_grad()
        twin_loss = F.cross_entropy(twin(images), labels)
        twin_loss.backward()
        optimizer.step()                  # the same update as manual_sgd_step's loop
        stepped.append(twin_loss.item())
    gap = max((a - b).abs().max().item() for a, b in zip(model.parameters(), twin.parameters()))
    print(f"loss by step, by hand: {' '.join(f'{v:.4f}' for v in manual)}")
    print(f"loss by step, optim:   {' '.join(f'{v:.4f}' for v in stepped)}")
    print(f"largest weight difference between the two after {steps} steps: {gap:.2e}")
    return {"shapes": shapes, "count": count, "logits_shape": tuple(logits.shape),
            "grad_fn": type(loss.grad_fn).__name__, "manual": manual, "optim": stepped,
            "gap": gap}


if __name__ == "__main__":
    main()
