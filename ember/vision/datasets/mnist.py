"""MNIST and Fashion-MNIST from the official gzipped IDX files."""
import math
import os

import numpy as np

from ..._creation import from_numpy
from .._pil import pil_image
from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file"]

# IDX type codes (the third byte of the magic number); multi-byte types are big-endian.
_SN3_TYPES = {8: np.uint8, 9: np.int8, 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def read_sn3_pascalvincent_tensor(path):
    """An IDX file (magic number, big-endian sizes, data) as a tensor of its dtype."""
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big") if len(data) >= 4 else 0
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in _SN3_TYPES:
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x})")
    header = 4 * (nd + 1)
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dtype = np.dtype(_SN3_TYPES[ty])
    expected = header + math.prod(shape) * dtype.itemsize
    if len(data) != expected:
        raise RuntimeError(f"{path} is corrupt or truncated: {len(data)} bytes where its header "
                           f"promises {expected}")
    array = np.frombuffer(data, dtype, offset=header).reshape(shape)
    return from_numpy(array.astype(dtype.newbyteorder("="), copy=True))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path)
    if x.numpy().dtype != np.uint8 or x.dim() != 1:
        raise RuntimeError(f"{path} is not an IDX label file (uint8, 1 dimension)")
    return x.long()


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path)
    if x.numpy().dtype != np.uint8 or x.dim() != 3:
        raise RuntimeError(f"{path} is not an IDX image file (uint8, 3 dimensions)")
    return x


class MNIST(VisionDataset):
    """MNIST: 70000 28x28 grey handwritten digits (60000 train, 10000 test), read from
    root/MNIST/raw. `data` is a (N, 28, 28) uint8 tensor, `targets` an int64 tensor; items are
    (PIL image of mode L, class index) before the transforms."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        prefix = "train" if train else "t10k"
        self.data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        self.targets = read_label_file(
            os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        if len(self.data) != len(self.targets):
            raise RuntimeError(f"{self.raw_folder} holds {len(self.data)} images but "
                               f"{len(self.targets)} labels")

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img = pil_image().fromarray(self.data.numpy()[index], mode="L")
        target = int(self.targets.numpy()[index])
        return self._apply_transforms(img, target)

    def __len__(self):
        return len(self.data)

    def _check_exists(self):
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(name)[0]))
                   for name, _ in self.resources)

    def download(self):
        """Fetch each file from the first mirror that serves it intact, check its MD5 sum and
        unpack it (see utils: nothing partial is ever left under a final name)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                try:
                    download_and_extract_archive(f"{mirror}{filename}", self.raw_folder,
                                                 filename=filename, md5=md5)
                    break
                except (OSError, RuntimeError) as exc:  # URLError is an OSError
                    errors.append(f"{mirror}{filename}: {exc}")
                    print(f"Failed to download (trying next): {errors[-1]}")
            else:
                raise RuntimeError(f"Error downloading {filename}: " + "; ".join(errors))

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Fashion-MNIST: Zalando's 28x28 grey article images in MNIST's format and sizes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
