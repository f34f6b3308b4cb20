"""Hidden temporaries beside their final place (downloads, extractions, a run's new outputs),
named so that a later run can recognise the ones a killed process left behind and remove them.

A temporary for `target` is named `.<target's name>.ember-<host>-<pid>-<random>.<kind>`, where
host is a short hash of this machine's name and pid the writer's process id. One is *stale*,
and removed by `remove_stale`, when it has this form and either its writer is known to be gone
(same host, no process with that pid) or nothing has touched it for `STALE_AFTER` seconds (a
writer on another host sharing the folder, or a reused pid). A live download touches its file
at least once per read timeout, far below that limit. Nothing of another naming is touched.
"""
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
import zlib

STALE_AFTER = 3600.0
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_HOST = f"{zlib.crc32(socket.gethostname().encode()):08x}"
# mkstemp/mkdtemp's random part: 8 characters of [a-z0-9_]
_PATTERN = re.compile(r"\.(?P<base>.+)\.ember-(?P<host>[0-9a-f]{8})-(?P<pid>\d+)-[a-z0-9_]{8}"
                      r"\.(?P<kind>[a-z]+)")


def _prefix(target):
    return f".{os.path.basename(target)}.ember-{_HOST}-{os.getpid()}-"


def temp_file(target, kind):
    """(open binary file, path) of a new temporary beside `target`."""
    fd, path = tempfile.mkstemp(dir=os.path.dirname(target) or ".", prefix=_prefix(target),
                                suffix=f".{kind}")
    return os.fdopen(fd, "wb"), path


def temp_dir(target, kind, folder=None):
    """A new temporary folder beside `target` (or in `folder`), with the permissions the
    umask gives a new folder (it may become the final one)."""
    where = folder if folder is not None else (os.path.dirname(target) or ".")
    while True:  # not the random module: its global state belongs to the program
        name = "".join(secrets.choice(_LETTERS) for _ in range(8))
        path = os.path.join(where, f"{_prefix(target)}{name}.{kind}")
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return path


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def is_stale(path, now=None):
    match = _PATTERN.fullmatch(os.path.basename(path))
    if match is None:
        return False
    try:
        idle = (time.time() if now is None else now) - os.lstat(path).st_mtime
    except FileNotFoundError:
        return False
    gone = match["host"] == _HOST and not _alive(int(match["pid"]))
    return gone or idle >= STALE_AFTER


def remove_stale(folder, kinds, base=None):
    """Remove the stale temporaries of the given kinds (and, if given, of target name `base`)
    in `folder`; returns their paths. Errors (a folder that is gone, a file another process
    just removed) are ignored: cleaning up never fails the job that does it."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _PATTERN.fullmatch(name)
        if match is None or match["kind"] not in kinds or (base and match["base"] != base):
            continue
        path = os.path.join(folder, name)
        if not is_stale(path):
            continue
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
        except OSError:
            continue
        removed.append(path)
    return removed
