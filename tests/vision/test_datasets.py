"""ember.vision.datasets: reading the official formats, downloads from a local server with MD5
checks, corrupt archives, ImageFolder, FakeData and the shipped Digits."""
import gzip
import os

import numpy as np
import pytest

import ember
from ember.vision import datasets, transforms as T
from ember.vision.datasets import utils as dutils
from tests.vision._archives import (make_cifar, make_mnist, md5_of, patch_cifar, patch_mnist,
                                    serve)

PIL = pytest.importorskip("PIL.Image")


@pytest.fixture
def server_dir(tmp_path):
    d = tmp_path / "www"
    d.mkdir()
    return d


def _listing(root):
    return sorted(os.path.relpath(os.path.join(dp, f), root)
                  for dp, _, fs in os.walk(root) for f in fs)


# -- CIFAR ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_download_and_read(cls, monkeypatch, server_dir, tmp_path, capsys):
    patches, contents, label_names = make_cifar(server_dir, cls)
    root = tmp_path / "data"
    with serve(server_dir) as url:
        patch_cifar(monkeypatch, cls, patches, url)
        train = cls(root, train=True, download=True)
        test = cls(root, train=False, download=True)  # verified files are not fetched again
    assert "Files already downloaded and verified" in capsys.readouterr().out
    names = [n for n, _ in cls.train_list]
    expected = np.concatenate([contents[n][0] for n in names])
    assert train.data.shape == (len(expected), 32, 32, 3) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, expected)
    assert train.targets == [int(v) for n in names for v in contents[n][1]]
    test_name = cls.test_list[0][0]
    np.testing.assert_array_equal(test.data, contents[test_name][0])
    assert train.classes == label_names
    assert train.class_to_idx[label_names[3]] == 3
    img, target = train[1]
    assert img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), expected[1])
    assert target == train.targets[1]
    assert len(train) == len(expected)
    assert "Split: Train" in repr(train)


def test_cifar_transforms_applied(monkeypatch, server_dir, tmp_path):
    patches, contents, _ = make_cifar(server_dir, datasets.CIFAR10)
    with serve(server_dir) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        ds = datasets.CIFAR10(tmp_path, train=False, download=True, transform=T.ToTensor(),
                              target_transform=lambda y: y + 100)
    x, y = ds[0]
    np.testing.assert_allclose(x.numpy(), contents["test_batch"][0][0].transpose(2, 0, 1) / 255,
                               rtol=1e-6)
    assert y == int(contents["test_batch"][1][0]) + 100


def test_cifar_missing_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted. You can use "
                                           "download=True"):
        datasets.CIFAR10(tmp_path)


def test_cifar_corrupt_archive_leaves_nothing(monkeypatch, server_dir, tmp_path):
    patches, _, _ = make_cifar(server_dir, datasets.CIFAR10)
    archive = server_dir / datasets.CIFAR10.filename
    blob = archive.read_bytes()
    archive.write_bytes(blob[:len(blob) // 2])  # truncated, served with its own (matching) md5
    patches["tgz_md5"] = md5_of(archive)
    root = tmp_path / "data"
    with serve(server_dir) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        with pytest.raises(RuntimeError, match="corrupt or truncated"):
            datasets.CIFAR10(root, download=True)
    # only the downloaded archive remains: no batch folder, no temporary files
    assert _listing(root) == [datasets.CIFAR10.filename]
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(root)


def test_cifar_wrong_md5_download_is_not_kept(monkeypatch, server_dir, tmp_path):
    patches, _, _ = make_cifar(server_dir, datasets.CIFAR10)
    patches["tgz_md5"] = "0" * 32
    root = tmp_path / "data"
    with serve(server_dir) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        with pytest.raises(RuntimeError, match="is corrupt: its MD5 sum"):
            datasets.CIFAR10(root, download=True)
    assert _listing(root) == []


def test_cifar_tampered_batch_is_rejected(monkeypatch, server_dir, tmp_path):
    patches, _, _ = make_cifar(server_dir, datasets.CIFAR10)
    with serve(server_dir) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        datasets.CIFAR10(tmp_path, download=True)
    batch = tmp_path / datasets.CIFAR10.base_folder / "data_batch_2"
    batch.write_bytes(batch.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(tmp_path)


def test_cifar_unpickler_refuses_code(tmp_path):
    import pickle

    from ember.vision.datasets.cifar import _load_batch

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({"data": Evil()}, protocol=2))
    with pytest.raises(RuntimeError, match="not a CIFAR batch file"):
        _load_batch(path)


# -- MNIST ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_download_and_read(cls, monkeypatch, server_dir, tmp_path):
    resources, contents = make_mnist(server_dir, cls)
    with serve(server_dir) as url:
        patch_mnist(monkeypatch, cls, resources, url)
        train = cls(tmp_path, train=True, download=True)
    test = cls(tmp_path, train=False)
    raw = tmp_path / cls.__name__ / "raw"
    assert sorted(os.listdir(raw)) == sorted(
        [n for n, _ in resources] + [n[:-3] for n, _ in resources])
    np.testing.assert_array_equal(train.data.numpy(), contents["train"][0])
    assert train.data.dtype == ember.uint8 and train.targets.dtype == ember.int64
    np.testing.assert_array_equal(test.targets.numpy(), contents["test"][1])
    img, target = train[2]
    assert img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), contents["train"][0][2])
    assert target == int(contents["train"][1][2]) and isinstance(target, int)
    assert train.class_to_idx[cls.classes[4]] == 4
    assert len(test) == 3


def test_mnist_mirror_fallback(monkeypatch, server_dir, tmp_path, capsys):
    resources, _ = make_mnist(server_dir, datasets.MNIST)
    with serve(server_dir) as url:
        monkeypatch.setattr(datasets.MNIST, "resources", resources)
        monkeypatch.setattr(datasets.MNIST, "mirrors", [url + "missing/", url])
        datasets.MNIST(tmp_path, download=True)
    assert "Failed to download (trying next)" in capsys.readouterr().out


def test_mnist_corrupt_gzip_leaves_nothing(monkeypatch, server_dir, tmp_path):
    resources, _ = make_mnist(server_dir, datasets.MNIST)
    name = resources[2][0]
    path = server_dir / name
    path.write_bytes(path.read_bytes()[:-20])  # truncated gzip stream
    resources[2] = (name, md5_of(path))
    with serve(server_dir) as url:
        patch_mnist(monkeypatch, datasets.MNIST, resources, url)
        with pytest.raises(RuntimeError, match="corrupt or truncated"):
            datasets.MNIST(tmp_path, download=True)
    raw = tmp_path / "MNIST" / "raw"
    assert name[:-3] not in os.listdir(raw)
    assert not [f for f in os.listdir(raw) if f.startswith(".")]  # no temporary files
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(tmp_path)


def test_mnist_missing_and_bad_idx(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.MNIST(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name, _ in datasets.MNIST.resources:
        (raw / name[:-3]).write_bytes(b"\x00\x00\x08\x03" + (5).to_bytes(4, "big") * 3)
    with pytest.raises(RuntimeError, match="corrupt or truncated"):
        datasets.MNIST(tmp_path)
    (raw / "train-images-idx3-ubyte").write_bytes(b"garbage!")
    with pytest.raises(RuntimeError, match="not an IDX file"):
        datasets.MNIST(tmp_path)


def test_read_idx_types(tmp_path):
    from ember.vision.datasets.mnist import read_sn3_pascalvincent_tensor
    values = np.array([[1, -2], [300, 4]], dtype=">i4")
    blob = bytes([0, 0, 12, 2]) + (2).to_bytes(4, "big") * 2 + values.tobytes()
    (tmp_path / "f").write_bytes(blob)
    t = read_sn3_pascalvincent_tensor(tmp_path / "f")
    assert t.dtype == ember.int32 and t.tolist() == [[1, -2], [300, 4]]


def test_download_url_skips_verified_file(server_dir, tmp_path, capsys):
    (server_dir / "a.bin").write_bytes(b"hello")
    with serve(server_dir) as url:
        path = dutils.download_url(url + "a.bin", tmp_path, md5=md5_of(server_dir / "a.bin"))
        dutils.download_url(url + "a.bin", tmp_path, md5=md5_of(server_dir / "a.bin"))
    assert open(path, "rb").read() == b"hello"
    assert "Using downloaded and verified file" in capsys.readouterr().out


def test_extract_gzip_and_tar(tmp_path):
    src = tmp_path / "x.gz"
    with gzip.open(src, "wb") as f:
        f.write(b"payload")
    dutils.extract_archive(src, tmp_path / "out")
    assert (tmp_path / "out" / "x").read_bytes() == b"payload"
    with pytest.raises(RuntimeError, match="not supported"):
        dutils.extract_archive(tmp_path / "x.zip")


# -- ImageFolder, FakeData, Digits ---------------------------------------------------------------
def test_image_folder(tmp_path):
    Image = PIL
    for cls, n in (("cat", 2), ("dog", 3)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            Image.new("L", (4 + i, 5), color=10 * i).save(tmp_path / cls / f"{i}.png")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(tmp_path)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert ds.targets == [0, 0, 1, 1, 1] and len(ds) == 5
    assert [os.path.basename(p) for p, _ in ds.imgs] == ["0.png", "1.png", "0.png", "1.png",
                                                         "2.png"]
    img, target = ds[3]
    assert img.mode == "RGB" and img.size == (5, 5) and target == 1
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 5


def test_dataset_repr_is_torchvisions(tmp_path):
    # torchvision 0.28 indents only the first line of the transforms' repr, and lines the rest
    # of a Compose up under its "Transform: " heading (printed once with the reference copy)
    (tmp_path / "a").mkdir()
    PIL.new("RGB", (4, 4)).save(tmp_path / "a" / "x.png")
    ds = datasets.ImageFolder(tmp_path, transform=T.Compose([T.Resize(3), T.ToTensor()]),
                              target_transform=T.Lambda(int))
    assert repr(ds) == (
        "Dataset ImageFolder\n"
        "    Number of datapoints: 1\n"
        f"    Root location: {tmp_path}\n"
        "    StandardTransform\n"
        "Transform: Compose(\n"
        "               Resize(size=3, interpolation=bilinear, max_size=None, antialias=True)\n"
        "               ToTensor()\n"
        "           )\n"
        "Target transform: Lambda()")
    fake = datasets.FakeData(3, transform=T.ToTensor())
    assert repr(fake) == ("Dataset FakeData\n    Number of datapoints: 3\n"
                          "    StandardTransform\nTransform: ToTensor()")


def test_fake_data_is_deterministic():
    ds = datasets.FakeData(size=4, image_size=(3, 8, 6), num_classes=3,
                           transform=T.PILToTensor())
    a, ya = ds[2]
    b, yb = ds[2]
    assert a.shape == (3, 8, 6) and a.dtype == ember.uint8 and 0 <= ya < 3
    assert a.tolist() == b.tolist() and ya == yb
    assert ds[1][0].tolist() != a.tolist()
    with pytest.raises(IndexError):
        ds[4]


def test_digits():
    train, test = datasets.Digits(), datasets.Digits(train=False)
    assert len(train) == 1438 and len(test) == 359
    assert train.data.shape == (1438, 32, 32) and train.data.dtype == ember.uint8
    assert sorted(set(test.targets.tolist())) == list(range(10))
    # each class is split 80/20
    counts = np.bincount(test.targets.numpy(), minlength=10)
    total = counts + np.bincount(train.targets.numpy(), minlength=10)
    assert np.all(np.abs(counts - 0.2 * total) <= 1)
    img, target = test[0]
    assert img.mode == "L" and img.size == (32, 32) and isinstance(target, int)


def test_digits_upscale_matches_pillow_bilinear():
    """The scaling is Pillow's BILINEAR on the 0..255 image (up to rounding)."""
    from ember.vision.datasets.digits import upscale
    raw = np.load(os.path.join(os.path.dirname(datasets.digits.__file__), "data",
                               "digits.npz"))["test_images"][:5]
    ours = upscale(raw, 32)
    for small, big in zip(raw, ours):
        grey = PIL.fromarray(small.astype(np.float32) * (255 / 16), mode="F")
        ref = np.asarray(grey.resize((32, 32), PIL.Resampling.BILINEAR))
        np.testing.assert_allclose(big, ref, atol=0.51)
    assert ours[0, 0, 0] == round(raw[0, 0, 0] * 255 / 16)  # corners keep their pixel
