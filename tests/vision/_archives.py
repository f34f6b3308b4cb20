"""Tiny datasets in the official on-disk formats (CIFAR's pickled batches in a tar.gz, MNIST's
gzipped IDX files) and a local HTTP server that serves them, for download tests."""
import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import os
import pickle
import tarfile
import threading

import numpy as np


def md5_of(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


# -- CIFAR ---------------------------------------------------------------------------------------
def cifar_batch(images, labels, label_key="labels", name="batch"):
    """A CIFAR batch as the official files hold it: rows of 3072 bytes (R, G, B planes)."""
    data = np.ascontiguousarray(images.transpose(0, 3, 1, 2).reshape(len(images), -1))
    entry = {"batch_label": name, label_key: [int(v) for v in labels], "data": data,
             "filenames": [f"img_{i}.png" for i in range(len(images))]}
    if label_key == "fine_labels":
        entry["coarse_labels"] = [int(v) // 5 for v in labels]
    return pickle.dumps(entry, protocol=2)


def make_cifar(root, cls, per_file=3, seed=0):
    """Write cls's archive (cls.filename) into root with random images; returns (per-file
    md5 list patches for train_list/test_list/meta, archive md5, {file: (images, labels)})."""
    rng = np.random.default_rng(seed)
    hundred = cls.base_folder == "cifar-100-python"
    n_classes = 100 if hundred else 10
    key = "fine_labels" if hundred else "labels"
    names = [n for n, _ in cls.train_list + cls.test_list]
    contents, blobs = {}, {}
    for name in names:
        images = rng.integers(0, 256, (per_file, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, n_classes, per_file)
        contents[name] = (images, labels)
        blobs[name] = cifar_batch(images, labels, key, name)
    label_names = [f"class{i}" for i in range(n_classes)]
    meta = {cls.meta["key"]: label_names}
    if hundred:
        meta["coarse_label_names"] = [f"super{i}" for i in range(20)]
    blobs[cls.meta["filename"]] = pickle.dumps(meta, protocol=2)
    archive = os.path.join(root, cls.filename)
    with tarfile.open(archive, "w:gz") as tar:
        for name, blob in blobs.items():
            info = tarfile.TarInfo(f"{cls.base_folder}/{name}")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
    digest = {name: hashlib.md5(blob).hexdigest() for name, blob in blobs.items()}
    patches = {
        "train_list": [[n, digest[n]] for n, _ in cls.train_list],
        "test_list": [[n, digest[n]] for n, _ in cls.test_list],
        "meta": dict(cls.meta, md5=digest[cls.meta["filename"]]),
        "tgz_md5": md5_of(archive),
    }
    return patches, contents, label_names


# -- MNIST ---------------------------------------------------------------------------------------
def idx_bytes(array):
    """The IDX encoding of a uint8 array: magic 0x0000080N, big-endian sizes, the bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def make_mnist(root, cls, n_train=5, n_test=3, seed=0):
    """Write cls.resources' four .gz files into root; returns (resources with their md5s,
    {"train": (images, labels), "test": (...)})."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        arrays[f"{split}-images-idx3-ubyte.gz"] = rng.integers(0, 256, (n, 28, 28),
                                                                dtype=np.uint8)
        arrays[f"{split}-labels-idx1-ubyte.gz"] = rng.integers(0, 10, n).astype(np.uint8)
    resources = []
    for name, _ in cls.resources:
        path = os.path.join(root, name)
        with gzip.open(path, "wb") as f:
            f.write(idx_bytes(arrays[name]))
        resources.append((name, md5_of(path)))
    contents = {"train": (arrays["train-images-idx3-ubyte.gz"],
                          arrays["train-labels-idx1-ubyte.gz"]),
                "test": (arrays["t10k-images-idx3-ubyte.gz"],
                         arrays["t10k-labels-idx1-ubyte.gz"])}
    return resources, contents


# -- the server ----------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    """Serve `directory` on 127.0.0.1 (a free port); yields the base URL, ending in /."""
    return serve_with(functools.partial(_QuietHandler, directory=os.fspath(directory)))


@contextlib.contextmanager
def serve_with(handler):
    """Serve with the request handler class `handler` on 127.0.0.1; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def patch_cifar(monkeypatch, cls, patches, base_url):
    for name, value in patches.items():
        monkeypatch.setattr(cls, name, value)
    monkeypatch.setattr(cls, "url", base_url + cls.filename)


def patch_mnist(monkeypatch, cls, resources, base_url):
    monkeypatch.setattr(cls, "resources", resources)
    monkeypatch.setattr(cls, "mirrors", [base_url])
