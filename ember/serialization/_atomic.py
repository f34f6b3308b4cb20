"""Atomic file writes (temp file + fsync + rename) and the cleanup of temporaries that a killed
writer left behind.

A temporary is named `.tmp-ember-<host>-<pid>-<random><suffix>`, so a later write into the same
folder can tell its own kind's leftovers from anything else: one whose writer ran on this host and is
gone, or one untouched for an hour (a live writer keeps its file's mtime moving), is removed. Files
named by earlier versions (`.tmp-<8 random characters>.pt`) count as stale after the same hour.
"""
import os
import re
import socket
import tempfile
import time
import zlib

_STALE_AFTER_S = 3600
_HOST = format(zlib.crc32(socket.gethostname().encode()), "08x")
_OURS = re.compile(r"^\.tmp-ember-([0-9a-f]{8})-(\d+)-[A-Za-z0-9_]{8}\.(pt|safetensors)$")
_EARLIER = re.compile(r"^\.tmp-[a-z0-9_]{8}\.(pt|safetensors)$")


def write_atomically(path, write, suffix):
    """Call write(fileobj) on a temporary beside path, then move it over path: a crash or an error
    mid-write leaves any previous file intact and no temporary behind (a kill leaves one, which the
    next write into that folder removes)."""
    folder = os.path.dirname(os.path.abspath(path))
    remove_stale_temporaries(folder)
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-ember-{_HOST}-{os.getpid()}-", suffix=suffix,
                               dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def remove_stale_temporaries(folder):
    now = time.time()
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        ours, earlier = _OURS.match(name), _EARLIER.match(name)
        if not (ours or earlier):
            continue
        path = os.path.join(folder, name)
        try:
            stale = now - os.stat(path).st_mtime > _STALE_AFTER_S
            if ours and not stale and ours.group(1) == _HOST:
                stale = not _alive(int(ours.group(2)))
            if stale:
                os.unlink(path)
        except OSError:
            continue  # gone already, or not ours to remove


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True
