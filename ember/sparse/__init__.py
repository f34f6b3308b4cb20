"""torch.sparse: the sparse COO layout and its matrix product (NOTE [ Sparse COO ] in _coo.py)."""
from ._coo import SparseCooTensor, sparse_coo, sparse_coo_tensor

__all__ = ["mm", "SparseCooTensor", "sparse_coo", "sparse_coo_tensor"]


def mm(mat1, mat2, reduce=None):
    """mat1 @ mat2 for a sparse COO matrix mat1 and a dense matrix mat2; gradients reach mat2
    and mat1's values."""
    if reduce not in (None, "sum"):
        raise NotImplementedError(f"ember: sparse.mm with reduce='{reduce}' (torch's CSR-only "
                                  f"reduction) is not available")
    if not isinstance(mat1, SparseCooTensor):
        raise NotImplementedError("ember: sparse.mm takes a sparse COO matrix as mat1")
    return mat1.mm(mat2)
