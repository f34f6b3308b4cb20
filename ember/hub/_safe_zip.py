"""Extracting a downloaded repository archive without letting any entry land outside the target
folder (zip slip): every entry is checked before the first is written."""
import os
import pathlib
import re
import zipfile

__all__ = ["extract_zip"]

_SEPARATORS = re.compile(r"[/\\]")


def _check_entry(name, root):
    """ValueError (torch.hub's messages) when the entry `name` would be written outside `root`."""
    path = os.path.normpath(name)
    if path.startswith(("/", "\\")) or (len(path) >= 2 and path[1] == ":" and path[0].isalpha()):
        raise ValueError(f"Archive entry has absolute path: {name}")
    if ".." in _SEPARATORS.split(path):
        raise ValueError(f"Archive entry contains directory traversal: {name}")
    if not (root / path).resolve().is_relative_to(root):
        raise ValueError(f"Archive entry escapes target directory: {name}")


def extract_zip(archive, target):
    """Extract the zip file `archive` into the folder `target`, or, if any entry would escape
    it, raise ValueError having written nothing."""
    root = pathlib.Path(target).resolve()
    with zipfile.ZipFile(archive) as zf:
        for entry in zf.infolist():
            _check_entry(entry.filename, root)
        zf.extractall(root)
