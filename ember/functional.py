"""torch.functional: the module where torch keeps some of its top-level functions; code that
imports them from here gets ember's (one definition each, re-exported)."""
from .ops import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_shapes,
                  broadcast_tensors, cartesian_prod, cdist, einsum, meshgrid, norm, split,
                  tensordot, unique, unique_consecutive, unravel_index)

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes",
           "broadcast_tensors", "cartesian_prod", "cdist", "einsum", "meshgrid", "norm",
           "split", "tensordot", "unique", "unique_consecutive", "unravel_index"]

# Last: the functions above hand a foreign tensor-like argument to its class when they fail on it
# (NOTE [ Dispatch on failure ] in ember/_foreign.py).
from ._foreign import dispatch_on_failure as _dispatch_on_failure  # noqa: E402
_dispatch_on_failure(globals(), __name__, __all__)
