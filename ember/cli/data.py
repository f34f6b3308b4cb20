"""The datasets of the main job, brought to the network's 3x32x32 input, and their loaders."""
import contextlib
import os
from dataclasses import dataclass

from ..utils.data import DataLoader, RandomSampler
from ..vision import datasets
from ..vision import transforms as T
from ..vision.datasets.utils import MIRROR_ENV
from .errors import JobError

# The tutorial's normalisation: each channel from [0, 1] to [-1, 1].
MEAN = STD = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset class, the transforms that make its images 3x32x32, and the defaults that
    train the tutorial's network on it."""
    cls: type
    to_input: tuple
    epochs: int
    batch_size: int
    lr: float
    needs_root: bool = True


# Grey images become 3 identical channels so that every dataset trains the tutorial's network
# unchanged; MNIST's 28x28 digits are padded to 32x32 as LeNet-5 did.
DATASETS = {
    "digits": DatasetSpec(datasets.Digits, (T.Grayscale(3),), epochs=10, batch_size=16,
                          lr=0.01, needs_root=False),
    "cifar10": DatasetSpec(datasets.CIFAR10, (), epochs=2, batch_size=4, lr=0.001),
    "mnist": DatasetSpec(datasets.MNIST, (T.Pad(2), T.Grayscale(3)), epochs=2, batch_size=32,
                         lr=0.01),
    "fashion-mnist": DatasetSpec(datasets.FashionMNIST, (T.Pad(2), T.Grayscale(3)), epochs=2,
                                 batch_size=32, lr=0.01),
}


@contextlib.contextmanager
def _mirror(url):
    """EMBER_DATASETS_MIRROR set to `url` (if given) for the duration."""
    if url is None:
        yield
        return
    before = os.environ.get(MIRROR_ENV)
    os.environ[MIRROR_ENV] = url
    try:
        yield
    finally:
        if before is None:
            del os.environ[MIRROR_ENV]
        else:
            os.environ[MIRROR_ENV] = before


def load_datasets(name, root, download, mirror=None):
    """The (train, test) datasets (fetched first from `mirror`, a base URL, when given), or a
    JobError that says how to get the data."""
    spec = DATASETS[name]
    transform = T.Compose([*spec.to_input, T.ToTensor(), T.Normalize(MEAN, STD)])
    try:
        with _mirror(mirror):
            train = spec.cls(root=root, train=True, download=download, transform=transform)
            test = spec.cls(root=root, train=False, download=download, transform=transform)
    except RuntimeError as exc:
        if download or not spec.needs_root:
            raise JobError(f"{name}: {exc}") from None
        raise JobError(f"{name} not found (or incomplete) under {root}: pass --download to "
                       "fetch it, or --root to point at it") from None
    except OSError as exc:  # network errors (URLError) and unwritable roots
        raise JobError(f"{name}: cannot download to {root}: {exc}") from None
    return train, test


def make_loaders(train, test, batch_size, workers, shuffle):
    """The loaders; the training set is shuffled by the generator `shuffle` alone, so that a
    checkpoint of its state fixes every later epoch's order (the default generator also seeds
    the worker processes, once per iterator, which a resumed run does once more)."""
    persistent = workers > 0  # fork the workers once, not once per epoch
    train_loader = DataLoader(train, batch_size=batch_size,
                              sampler=RandomSampler(train, generator=shuffle),
                              num_workers=workers, persistent_workers=persistent)
    test_loader = DataLoader(test, batch_size=max(batch_size, 64), shuffle=False,
                             num_workers=workers, persistent_workers=persistent)
    return train_loader, test_loader
