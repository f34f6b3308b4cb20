"""ember.hub (torch.hub): checkpoints downloaded once into a local cache, and models built by the
entrypoints of a repository's hubconf.py, from a local folder or a GitHub repository downloaded
into the cache.

The cache is the hub dir: set_dir()'s folder, else $EMBER_HOME/hub, else
$XDG_CACHE_HOME/ember/hub (~/.cache/ember/hub). It holds checkpoints/ (load_state_dict_from_url),
one folder per downloaded repository (<owner>_<repo>_<ref>) and trusted_list (the repositories
the user trusts, one <owner>_<repo> a line). Downloads go through the dataset download code
(ember.vision.datasets.utils.download_url): streamed into a hidden temporary file, checked, and
only then renamed into place, so a truncated or corrupt file never lands in the cache.
"""
import os

from ._checkpoints import HASH_REGEX, download_url_to_file, load_state_dict_from_url  # noqa: F401
from ._entrypoints import MODULE_HUBCONF, VAR_DEPENDENCY, help, list, load  # noqa: F401
from ._github import ENV_GITHUB_TOKEN  # noqa: F401
from ._progress import tqdm  # noqa: F401

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load", "load_state_dict_from_url",
           "set_dir"]

ENV_EMBER_HOME = "EMBER_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"

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
