"""Dataset files: MD5 checks, downloads and archive extraction that never leave a partial file
under a final name.

A download streams into a hidden temporary file beside its target, is checked (length, MD5)
and only then renamed into place; a failed check deletes it. Extraction unpacks into a hidden
temporary folder (or file) and renames each result into place only after the whole archive has
been read, so a corrupt or truncated archive leaves nothing a later run could take for data.
"""
import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
import zlib

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "extract_archive",
           "download_and_extract_archive"]

USER_AGENT = "ember/vision"
_CHUNK = 1 << 20


def calculate_md5(fpath, chunk_size=_CHUNK):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """The file exists and, when an MD5 sum is given, matches it."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def _temp_beside(path, suffix=""):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".",
                               prefix=f".{os.path.basename(path)}.", suffix=suffix + ".part")
    return os.fdopen(fd, "wb"), tmp


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def download_url(url, root, filename=None, md5=None, timeout=60):
    """Download `url` to root/filename (default: the URL's basename), unless a file that
    matches `md5` is already there. Raises RuntimeError when the data received is truncated or
    does not match `md5`; urllib's URLError when the server cannot be reached."""
    root = os.path.expanduser(os.fspath(root))
    fpath = os.path.join(root, filename or os.path.basename(url))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print(f"Using downloaded and verified file: {fpath}")
        return fpath
    print(f"Downloading {url} to {fpath}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    out, tmp = _temp_beside(fpath)
    try:
        digest = hashlib.md5(usedforsecurity=False)
        received = 0
        with out, urllib.request.urlopen(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
        if expected is not None and received != int(expected):
            raise RuntimeError(f"Download of {url} is truncated: received {received} of "
                               f"{expected} bytes. Nothing was kept; try again.")
        if md5 is not None and digest.hexdigest() != md5:
            raise RuntimeError(f"Download of {url} is corrupt: its MD5 sum is "
                               f"{digest.hexdigest()}, expected {md5}. Nothing was kept.")
        os.replace(tmp, fpath)
    except BaseException:
        _remove(tmp)
        raise
    return fpath


_CORRUPT = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _corrupt(from_path, exc):
    return RuntimeError(f"Cannot extract {from_path}: the archive is corrupt or truncated "
                        f"({exc}). Nothing was extracted; delete it and download again.")


def _extract_tar(from_path, to_path, mode):
    staging = tempfile.mkdtemp(dir=to_path, prefix=f".{os.path.basename(from_path)}.")
    try:
        try:
            with tarfile.open(from_path, mode) as tar:
                tar.extractall(staging, filter="data")  # refuses absolute paths and ../ escapes
        except _CORRUPT as exc:
            raise _corrupt(from_path, exc) from exc
        for name in os.listdir(staging):
            target = os.path.join(to_path, name)
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)  # an old, possibly partial copy: replaced as a whole
            os.replace(os.path.join(staging, name), target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_gzip(from_path, to_path):
    target = os.path.join(to_path, os.path.basename(from_path)[:-len(".gz")])
    out, tmp = _temp_beside(target)
    try:
        try:
            with out, gzip.open(from_path, "rb") as src:
                shutil.copyfileobj(src, out, _CHUNK)
        except _CORRUPT as exc:
            raise _corrupt(from_path, exc) from exc
        os.replace(tmp, target)
    except BaseException:
        _remove(tmp)
        raise
    return target


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a .tar, .tar.gz, .tgz or .gz file into to_path (default: its folder)."""
    from_path = os.fspath(from_path)
    to_path = os.fspath(to_path) if to_path is not None else os.path.dirname(from_path)
    os.makedirs(to_path, exist_ok=True)
    if from_path.endswith((".tar.gz", ".tgz")):
        _extract_tar(from_path, to_path, "r:gz")
    elif from_path.endswith(".tar"):
        _extract_tar(from_path, to_path, "r:")
    elif from_path.endswith(".gz"):
        _extract_gzip(from_path, to_path)
    else:
        raise RuntimeError(f"Extraction of {from_path} not supported")
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None,
                                 md5=None, remove_finished=False):
    download_root = os.path.expanduser(os.fspath(download_root))
    archive = download_url(url, download_root, filename, md5)
    return extract_archive(archive, extract_root or download_root, remove_finished)

