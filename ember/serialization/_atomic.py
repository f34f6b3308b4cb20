"""Atomic file writes (temp file + fsync + rename) and the cleanup of temporaries that a killed
writer left behind.

The temporary is one of ember/utils/_tempfiles.py (`.<name>.ember-<host>-<pid>-<random>.<kind>`),
so the next write into the same folder removes the stale ones of a killed save (writer gone, or
untouched for an hour) and nothing else. Files named by earlier versions of ember.save
(`.tmp-<8 random characters>.pt`) count as stale after the same hour.
"""
import os
import re
import time

from ..utils import _tempfiles

_KINDS = ("pt", "safetensors")
_EARLIER = re.compile(r"\.tmp-[a-z0-9_]{8}\.(pt|safetensors)")


def write_atomically(path, write, kind):
    """Call write(fileobj) on a temporary beside path, then move it over path: a crash or an error
    mid-write leaves any previous file intact and no temporary behind (a kill leaves one, which the
    next write into that folder removes)."""
    folder = os.path.dirname(os.path.abspath(path))
    _tempfiles.remove_stale(folder, _KINDS)
    _remove_earlier_temporaries(folder)
    out, tmp = _tempfiles.temp_file(os.path.join(folder, os.path.basename(path)), kind)
    try:
        with out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _remove_earlier_temporaries(folder):
    try:
        names = [n for n in os.listdir(folder) if _EARLIER.fullmatch(n)]
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        try:
            if time.time() - os.stat(path).st_mtime >= _tempfiles.STALE_AFTER:
                os.unlink(path)
        except OSError:
            continue  # gone already, or not ours to remove
