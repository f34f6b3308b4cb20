"""Dataset files: MD5 checks, downloads and archive extraction that never leave a partial file
under a final name.

A download streams into a hidden temporary file beside its target, is checked (length, MD5)
and only then renamed into place; a failed check deletes it. It stops with a RuntimeError
naming the URL when the server sends nothing for `timeout` seconds, when the whole download
takes longer than `deadline`, or when, after `grace` seconds, it has averaged less than
`min_rate` bytes a second (defaults: DOWNLOAD_TIMEOUT, DOWNLOAD_DEADLINE, DOWNLOAD_MIN_RATE,
DOWNLOAD_GRACE below; each a keyword of download_url, or set the module's value).

Extraction unpacks into a hidden temporary folder inside the destination and moves the
archive's top-level entries into place only after the whole archive has been read, so a corrupt
or truncated archive leaves nothing a later run could take for data. An entry that already
exists is replaced only when the archive owns it: a folder every file and subfolder of which
the archive holds too (an earlier extraction of it), or, for a .gz file, the file it unpacks
to. Anything else (a user's folder of the same name, a different file) is kept, and a
UserWarning says which entry of the archive was not extracted.

The temporaries (see ember.utils._tempfiles) that a killed download or extraction left behind
are removed by the next download or extraction into that folder, once stale: their writer's
process is gone, or they have not changed for an hour.

EMBER_DATASETS_MIRROR=<base URL> makes every dataset try <base URL>/<Dataset>/<file> (for
example .../MNIST/train-images-idx3-ubyte.gz, .../CIFAR10/cifar-10-python.tar.gz) before its
built-in mirrors (`ember-train --mirror URL` sets it for one run).
"""
import gzip
import hashlib
import os
import shutil
import socket
import tarfile
import time
import urllib.parse
import urllib.request
import warnings
import zlib

from ...utils._tempfiles import remove_stale, temp_dir, temp_file
from ..._warnings import user_stacklevel

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "extract_archive",
           "download_and_extract_archive"]

USER_AGENT = "ember/vision"
MIRROR_ENV = "EMBER_DATASETS_MIRROR"
DOWNLOAD_TIMEOUT = 60.0     # seconds without a byte (connecting, and each read)
DOWNLOAD_DEADLINE = 3600.0  # seconds for the whole file
DOWNLOAD_MIN_RATE = 10e3    # bytes a second on average, checked once DOWNLOAD_GRACE has passed
DOWNLOAD_GRACE = 60.0
_CHUNK = 1 << 20
_TEMP_KINDS = ("part", "extract")


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


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def check_mirror(url):
    """`url` as a mirror's base URL ending in /, or ValueError saying what is wrong with it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "ftp", "file") or \
            (parts.scheme != "file" and not parts.netloc):
        raise ValueError(f"{url!r} is not a mirror URL (http://host/path/, https://..., "
                         "ftp://... or file:///path/)")
    return url if url.endswith("/") else url + "/"


def mirror_urls(folder, filename, builtin):
    """The URLs to try for `filename` of the dataset `folder` (its class name): the mirror in
    EMBER_DATASETS_MIRROR, if set, then the built-in URLs."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return list(builtin)
    try:
        base = check_mirror(mirror)
    except ValueError as exc:
        raise RuntimeError(f"{MIRROR_ENV}: {exc}") from None
    return [f"{base}{folder}/{filename}", *builtin]


def _limit(value, default):
    return default if value is None else value


def _stopped(url, why, received):
    return RuntimeError(f"Download of {url} stopped: {why} ({received} bytes received). "
                        "Nothing was kept; try again, or another mirror.")


def _fetch(url, out, timeout, deadline, min_rate, grace, digests):
    """Stream `url` into the open file `out` within the limits, updating each hash object of
    `digests` with the data; (bytes, Content-Length)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    received = 0
    start = time.monotonic()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        expected = response.headers.get("Content-Length")
        while True:
            try:
                chunk = response.read1(_CHUNK)  # what has arrived, so the limits are checked
            except (socket.timeout, TimeoutError):
                raise _stopped(url, f"no data for {timeout:g} s", received) from None
            if not chunk:
                return received, expected
            out.write(chunk)
            for digest in digests:
                digest.update(chunk)
            received += len(chunk)
            elapsed = time.monotonic() - start
            if elapsed > deadline:
                raise _stopped(url, f"not complete after the deadline of {deadline:g} s",
                               received)
            if elapsed > grace and received < min_rate * elapsed:
                raise _stopped(url, f"{received / elapsed:.0f} bytes/s on average over "
                               f"{elapsed:.1f} s, below the minimum of {min_rate:g}", received)


def download_url(url, root, filename=None, md5=None, timeout=None, deadline=None,
                 min_rate=None, grace=None, sha256_prefix=None):
    """Download `url` to root/filename (default: the URL's basename), unless a file that
    matches `md5` is already there. Raises RuntimeError naming the URL when the data received
    is truncated, does not match `md5`, or has a SHA-256 sum that does not start with
    `sha256_prefix` (torch.hub's check), or when the download breaks one of its limits
    (seconds without data, overall deadline, minimum average rate after the grace period: the
    module's DOWNLOAD_* values unless given; the deadline and the rate are checked as data
    arrive, so a silent server is stopped by the timeout); urllib's URLError when the server
    cannot be reached."""
    timeout = _limit(timeout, DOWNLOAD_TIMEOUT)
    deadline = _limit(deadline, DOWNLOAD_DEADLINE)
    min_rate = _limit(min_rate, DOWNLOAD_MIN_RATE)
    grace = _limit(grace, DOWNLOAD_GRACE)
    root = os.path.expanduser(os.fspath(root))
    fpath = os.path.join(root, filename or os.path.basename(url))
    os.makedirs(root, exist_ok=True)
    remove_stale(root, _TEMP_KINDS)
    if check_integrity(fpath, md5):
        print(f"Using downloaded and verified file: {fpath}")
        return fpath
    print(f"Downloading {url} to {fpath}")
    md5_sum = hashlib.md5(usedforsecurity=False)
    sha256 = hashlib.sha256() if sha256_prefix is not None else None
    out, tmp = temp_file(fpath, "part")
    try:
        with out:
            received, expected = _fetch(url, out, timeout, deadline, min_rate, grace,
                                        [d for d in (md5_sum, sha256) if d is not None])
        if expected is not None and received != int(expected):
            raise RuntimeError(f"Download of {url} is truncated: received {received} of "
                               f"{expected} bytes. Nothing was kept; try again.")
        if md5 is not None and md5_sum.hexdigest() != md5:
            raise RuntimeError(f"Download of {url} is corrupt: its MD5 sum is "
                               f"{md5_sum.hexdigest()}, expected {md5}. Nothing was kept.")
        if sha256 is not None and not sha256.hexdigest().startswith(sha256_prefix):
            raise RuntimeError(f'invalid hash value (expected "{sha256_prefix}", got '
                               f'"{sha256.hexdigest()}"): the download of {url} is corrupt. '
                               "Nothing was kept.")
        os.replace(tmp, fpath)
    except BaseException:
        _remove(tmp)
        raise
    return fpath


_CORRUPT = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _corrupt(from_path, exc):
    return RuntimeError(f"Cannot extract {from_path}: the archive is corrupt or truncated "
                        f"({exc}). Nothing was extracted; delete it and download again.")


def _tree(path):
    """The relative paths of everything under the folder `path` (links not followed)."""
    found = set()
    for folder, dirs, files in os.walk(path):
        rel = os.path.relpath(folder, path)
        found.update(os.path.normpath(os.path.join(rel, n)) for n in dirs + files)
    return found


def _owned(target, new):
    """Whether the existing `target` may be replaced by the archive's `new`: both are real
    folders and every path under `target` is one the archive holds too."""
    real_dir = os.path.isdir(target) and not os.path.islink(target)
    return real_dir and os.path.isdir(new) and _tree(target) <= _tree(new)


def _same_file(a, b):
    return (os.path.isfile(a) and not os.path.islink(a) and os.path.isfile(b)
            and os.path.getsize(a) == os.path.getsize(b) and calculate_md5(a) == calculate_md5(b))


def _place(new, target, staging, from_path):
    """Move the extracted top-level entry `new` to `target` (see the module's rule)."""
    if not os.path.lexists(target):
        os.replace(new, target)
    elif _owned(target, new):
        old = os.path.join(staging, "old-" + os.path.basename(target))
        os.replace(target, old)  # removed with the staging folder once `new` is in place
        try:
            os.replace(new, target)
        except BaseException:
            os.replace(old, target)
            raise
    elif not _same_file(target, new):
        warnings.warn(f"{target} already exists and is not {os.path.basename(from_path)}'s "
                      f"own {os.path.basename(target)}: it was kept, and that entry of the "
                      "archive was not extracted (move it away and extract again to get it)",
                      stacklevel=user_stacklevel())


def _extract_tar(from_path, to_path, mode):
    staging = temp_dir(from_path, "extract", folder=to_path)
    try:
        tree = os.path.join(staging, "tree")
        try:
            with tarfile.open(from_path, mode) as tar:
                tar.extractall(tree, filter="data")  # refuses absolute paths and ../ escapes
        except _CORRUPT as exc:
            raise _corrupt(from_path, exc) from exc
        for name in sorted(os.listdir(tree)):
            _place(os.path.join(tree, name), os.path.join(to_path, name), staging, from_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extract_gzip(from_path, to_path):
    """Unpack x.gz to to_path/x, the file it owns: an existing x is replaced."""
    target = os.path.join(to_path, os.path.basename(from_path)[:-len(".gz")])
    out, tmp = temp_file(target, "part")
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
    remove_stale(to_path, _TEMP_KINDS)
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
                                 md5=None, remove_finished=False, **limits):
    """download_url (with its limits as keywords), then extract_archive."""
    download_root = os.path.expanduser(os.fspath(download_root))
    archive = download_url(url, download_root, filename, md5, **limits)
    return extract_archive(archive, extract_root or download_root, remove_finished)


def download_from_mirrors(urls, download_root, filename, md5):
    """download_and_extract_archive from the first of `urls` that serves the file intact;
    RuntimeError listing every URL's failure when none does."""
    errors = []
    for url in urls:
        try:
            return download_and_extract_archive(url, download_root, filename=filename, md5=md5)
        except (OSError, RuntimeError) as exc:  # URLError is an OSError
            errors.append(f"{url}: {exc}")
            print(f"Failed to download (trying next): {errors[-1]}")
    raise RuntimeError(f"Error downloading {filename}: " + "; ".join(errors))
