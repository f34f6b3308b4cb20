"""ember.hub: checkpoints downloaded once into a local cache (torch.hub's load_state_dict_from_url).

The cache is <hub dir>/checkpoints, where the hub dir is set_dir()'s folder, else $EMBER_HOME/hub,
else $XDG_CACHE_HOME/ember/hub (~/.cache/ember/hub). Downloads go through the dataset download code
(ember.vision.datasets.utils.download_url): streamed into a hidden temporary file, checked, and only
then renamed into place, so a truncated or corrupt file never lands in the cache.
"""
import os
import re
import urllib.parse

__all__ = ["get_dir", "set_dir", "load_state_dict_from_url"]

ENV_EMBER_HOME = "EMBER_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
# A checkpoint's file name carries the first hex digits of its SHA-256 sum: resnet18-f37072fd.pth
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")

_hub_dir = None


def _ember_home():
    default = os.path.join(os.getenv(ENV_XDG_CACHE_HOME, "~/.cache"), "ember")
    return os.path.expanduser(os.getenv(ENV_EMBER_HOME, default))


def get_dir():
    """The hub's cache folder: set_dir()'s, else $EMBER_HOME/hub, else ~/.cache/ember/hub."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_ember_home(), "hub")


def set_dir(d):
    """Use the folder `d` as the hub's cache from now on."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """The object saved at `url` (a state dict), downloaded into `model_dir` (default
    get_dir()/checkpoints) unless a file of that name is already there, then ember.load-ed.
    With check_hash, the file name's hash part (`name-<hex>.ext`) must begin the SHA-256 sum of
    the data, else RuntimeError and nothing is kept. `progress` is accepted for torch's
    signature; the download prints one line instead of a bar."""
    from .serialization import load
    from .vision.datasets.utils import download_url

    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    filename = file_name or os.path.basename(urllib.parse.urlparse(url).path)
    cached_file = os.path.join(os.fspath(model_dir), filename)
    if not os.path.exists(cached_file):
        match = HASH_REGEX.search(filename) if check_hash else None
        download_url(url, model_dir, filename, sha256_prefix=match.group(1) if match else None)
    return load(cached_file, map_location=map_location, weights_only=weights_only)
