"""Collectives of picklable Python objects: broadcast_object_list and all_gather_object (and
gather_object), as torch's: pickled, sent as bytes, unpickled in place of the list's items.
Like torch's, they unpickle what peers send: use them only between processes you trust."""
import pickle

import numpy as np

from .process_group import resolve
from .work import wait_requests

__all__ = ["broadcast_object_list", "all_gather_object", "gather_object"]


def _bytes_of(obj):
    return np.frombuffer(pickle.dumps(obj), np.uint8)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """object_list on every rank <- object_list of rank `src` (same length everywhere)."""
    pg = resolve(group)
    if pg is None:
        return
    root = int(group_src) if group_src is not None else pg.group_rank(0 if src is None else src,
                                                                      "src")
    pg.agree("broadcast_object_list",
             f"broadcast_object_list({len(object_list)} objects, src={pg.ranks[root]})")
    payload = _bytes_of(list(object_list)) if pg.rank() == root else None
    size = np.array([0 if payload is None else payload.size], np.int64)
    wait_requests([pg.comm.Ibcast(size, root)], pg, "broadcast_object_list")
    if payload is None:
        payload = np.empty(int(size[0]), np.uint8)
    wait_requests([pg.comm.Ibcast(payload, root)], pg, "broadcast_object_list")
    if pg.rank() != root:
        object_list[:] = pickle.loads(payload.tobytes())


def _gather_bytes(pg, obj, name, root=None):
    """The pickled objects of every rank (on `root` only when root is given, else everywhere)."""
    mine = _bytes_of(obj)
    sizes = np.empty(pg.size(), np.int64)
    wait_requests([pg.comm.Iallgather(np.array([mine.size], np.int64), sizes)], pg, name)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    everything = np.empty(int(sizes.sum()), np.uint8)
    spec = [everything, (list(sizes), list(offsets))]
    if root is None:
        request = pg.comm.Iallgatherv(mine, spec)
    else:
        request = pg.comm.Igatherv(mine, spec if pg.rank() == root else None, root)
    wait_requests([request], pg, name)
    if root is not None and pg.rank() != root:
        return None
    return [pickle.loads(everything[o:o + s].tobytes()) for o, s in zip(offsets, sizes)]


def all_gather_object(object_list, obj, group=None):
    """object_list[i] <- `obj` of rank i, on every rank (object_list has world_size items)."""
    pg = resolve(group)
    if pg is None:
        return
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have {pg.size()} items (one per "
                         f"rank), got {len(object_list)}")
    pg.agree("all_gather_object", "all_gather_object()")
    object_list[:] = _gather_bytes(pg, obj, "all_gather_object")


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """object_gather_list[i] <- `obj` of rank i, on rank `dst` only."""
    pg = resolve(group)
    if pg is None:
        return
    root = int(group_dst) if group_dst is not None else pg.group_rank(0 if dst is None else dst,
                                                                      "dst")
    if pg.rank() == root and (object_gather_list is None or
                              len(object_gather_list) != pg.size()):
        raise ValueError(f"gather_object: object_gather_list must have {pg.size()} items on the "
                         f"destination rank")
    pg.agree("gather_object", f"gather_object(dst={pg.ranks[root]})")
    got = _gather_bytes(pg, obj, "gather_object", root)
    if got is not None:
        object_gather_list[:] = got
