"""ember.vision.datasets: image datasets (torchvision.datasets) and the offline Digits."""
from .cifar import CIFAR10, CIFAR100
from .digits import Digits
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "MNIST", "FashionMNIST", "ImageFolder", "DatasetFolder",
           "FakeData", "Digits", "VisionDataset"]
