"""How optimizers reach the rows that a coalesced sparse gradient holds (NOTE [ Sparse gradients ]
in optimizer.py): a dense array seen as (positions over the sparse dims, *dense dims), and each
entry's position in it. With coalesced positions (each once), fancy-index updates are exact."""
import math

__all__ = ["as_rows", "rows_of"]


def rows_of(grad):
    """The row-major position of each entry of a coalesced sparse gradient (a host or device
    array)."""
    return grad._linear_index()._data


def as_rows(array, grad):
    """array (a parameter's or its state's, C-contiguous as ember makes them) as a view of
    shape (positions, *dense dims) of grad's layout."""
    if not array.flags.c_contiguous:  # a reshape would copy, and the update be lost
        raise NotImplementedError("ember: a sparse update needs a contiguous parameter and "
                                  "state")
    sparse_numel = math.prod(grad.shape[:grad.sparse_dim()])
    return array.reshape((sparse_numel,) + tuple(grad.shape[grad.sparse_dim():]))
