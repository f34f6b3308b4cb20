"""MNIST and Fashion-MNIST from the official gzipped IDX files."""
import math
import os

import numpy as np

from ..._creation import from_numpy
from .._pil import pil_image
from .utils import download_from_mirrors, mirror_urls
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file", "check_idx_file"]

# IDX type codes (the third byte of the magic number); multi-byte types are big-endian.
_SN3_TYPES = {8: np.uint8, 9: np.int8, 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}


def _idx_layout(path, head, size):
    """(shape, dtype, header bytes) from the first bytes `head` of the IDX file `path` of
    `size` bytes, or RuntimeError saying what is wrong with it."""
    magic = int.from_bytes(head[:4], "big") if len(head) >= 4 else 0
    nd, ty = magic % 256, magic // 256
    if not 1 <= nd <= 3 or ty not in _SN3_TYPES:
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x})")
    header = 4 * (nd + 1)
    shape = [int.from_bytes(head[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dtype = np.dtype(_SN3_TYPES[ty])
    expected = header + math.prod(shape) * dtype.itemsize
    if size != expected:
        raise RuntimeError(f"{path} is corrupt or truncated: {size} bytes where its header "
                           f"promises {expected}")
    return shape, dtype, header


def check_idx_file(path):
    """None when the IDX file at `path` is whole (its magic number is right and its size is
    the one its header promises, read without loading the data), else what is wrong."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
            size = os.fstat(f.fileno()).st_size
        _idx_layout(path, head, size)
    except FileNotFoundError:
        return f"{path} is missing"
    except (OSError, RuntimeError) as exc:
        return str(exc)
    return None


def read_sn3_pascalvincent_tensor(path):
    """An IDX file (magic number, big-endian sizes, data) as a tensor of its dtype."""
    with open(path, "rb") as f:
        data = f.read()
    shape, dtype, header = _idx_layout(path, data[:16], len(data))
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
        for name, _ in self.resources:
            problem = check_idx_file(self._raw_file(name))
            if problem is not None:
                raise RuntimeError(f"{problem}. download=True extracts it again (or delete it "
                                   "and download again)")
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

    def _raw_file(self, resource):
        return os.path.join(self.raw_folder, os.path.splitext(resource)[0])

    def _check_exists(self):
        return all(os.path.isfile(self._raw_file(name)) for name, _ in self.resources)

    def download(self):
        """Fetch each file whose unpacked copy is missing or broken (see check_idx_file) from
        the first mirror that serves it intact (EMBER_DATASETS_MIRROR's first, if set), check
        its MD5 sum and unpack it; an archive already here and intact is unpacked again
        without a download (see utils: nothing partial is ever left under a final name)."""
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            path = self._raw_file(filename)
            problem = check_idx_file(path)
            if problem is None:
                continue
            if os.path.exists(path):
                print(f"{problem}: extracting it again")
            urls = mirror_urls(type(self).__name__, filename,
                               [f"{mirror}{filename}" for mirror in self.mirrors])
            download_from_mirrors(urls, self.raw_folder, filename, md5)
            problem = check_idx_file(path)
            if problem is not None:
                raise RuntimeError(f"{problem}, even after a fresh download and extraction: "
                                   f"delete {path} and "
                                   f"{os.path.join(self.raw_folder, filename)}, then download "
                                   "again")

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
