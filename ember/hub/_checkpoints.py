"""Files fetched by URL: load_state_dict_from_url (a checkpoint cached under the hub dir) and
download_url_to_file, both through ember.vision.datasets.utils.download_url."""
import os
import re
import shutil
import urllib.parse

from ..utils._tempfiles import remove_stale, temp_dir

__all__ = ["HASH_REGEX", "download_url_to_file", "load_state_dict_from_url"]

# A checkpoint's file name carries the first hex digits of its SHA-256 sum: resnet18-f37072fd.pth
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Download `url` to the path `dst`, replacing a file there only once the whole download
    has arrived and, with `hash_prefix`, its SHA-256 sum begins with it (else RuntimeError, and
    `dst` is left as it was). `progress` is accepted for torch's signature; the download prints
    one line instead of a bar."""
    from ..vision.datasets.utils import download_url

    dst = os.path.expanduser(os.fspath(dst))
    # download_url keeps a file already in place: fetch into an empty folder beside dst (one a
    # killed run left there is removed first)
    remove_stale(os.path.dirname(dst) or ".", ("extract",), base=os.path.basename(dst))
    staging = temp_dir(dst, "extract")
    try:
        fetched = download_url(url, staging, os.path.basename(dst), sha256_prefix=hash_prefix)
        os.replace(fetched, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """The object saved at `url` (a state dict), downloaded into `model_dir` (default
    get_dir()/checkpoints) unless a file of that name is already there, then ember.load-ed.
    With check_hash, the file name's hash part (`name-<hex>.ext`) must begin the SHA-256 sum of
    the data, else RuntimeError and nothing is kept. `progress` is accepted for torch's
    signature; the download prints one line instead of a bar."""
    from ..serialization import load
    from ..vision.datasets.utils import download_url
    from . import get_dir

    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    filename = file_name or os.path.basename(urllib.parse.urlparse(url).path)
    cached_file = os.path.join(os.fspath(model_dir), filename)
    if not os.path.exists(cached_file):
        match = HASH_REGEX.search(filename) if check_hash else None
        download_url(url, model_dir, filename, sha256_prefix=match.group(1) if match else None)
    return load(cached_file, map_location=map_location, weights_only=weights_only)
