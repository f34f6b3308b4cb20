"""SparseCooTensor: torch's sparse COO layout, as a pair of dense ember tensors.

NOTE [ Sparse COO ]
A COO tensor of size (*sparse_sizes, *dense_sizes) holds `indices`, an int64 tensor of shape
(sparse_dim, nnz), and `values`, of shape (nnz, *dense_sizes): entry k is values[k] at the
position indices[:, k]. An uncoalesced tensor may repeat a position (its entries add up) and
keeps its entries in any order; coalesce() sums the repeats and sorts the positions in row-major
order, as torch does. Every operation here is built from ember's differentiable ops on the two
dense tensors (index_add, index_select, unique), so autograd is ember's: a gradient reaches the
`values` tensor (dense, as in torch) and the dense operand of mm, and double backward works.

It is not an ember.Tensor subclass (ember's Tensor is strided only): `isinstance(s, Tensor)` is
False, and ember's free functions reach it through `__torch_function__` (NOTE [ Dispatch on
failure ] in ember/_foreign.py): torch.mm / torch.matmul / torch.sparse.mm of a sparse matrix and
a dense one, and `s @ dense`. Like torch (with its invariant checks off, the default), the
constructor does not check that the indices lie inside the size.
"""
import math

from .._creation import as_tensor, zeros
from .._foreign import public_name
from .._memory_layout import layout
from .._tensor import Size, Tensor
from .. import _dtype
from ..ops import index_add, stack, unique

sparse_coo = layout("sparse_coo")


class SparseCooTensor:
    """torch's sparse COO tensor (is_sparse True): NOTE [ Sparse COO ]."""
    __slots__ = ("_idx", "_vals", "_size", "_coalesced")
    is_sparse = True
    is_nested = False
    layout = sparse_coo
    __array_ufunc__ = None  # NumPy refuses it, so ember's ops fail on it and dispatch here

    def __init__(self, indices, values, size, coalesced=False):
        self._idx, self._vals, self._size = indices, values, Size(size)
        self._coalesced = coalesced

    # ---- structure -------------------------------------------------------------------------
    def size(self, dim=None):
        return self._size if dim is None else self._size[dim]

    shape = property(size)
    dtype = property(lambda self: self._vals.dtype)
    device = property(lambda self: self._vals.device)
    requires_grad = property(lambda self: self._vals.requires_grad)
    grad_fn = property(lambda self: self._vals.grad_fn)

    def dim(self):
        return len(self._size)

    ndim = property(dim)

    def sparse_dim(self):
        return self._idx.shape[0]

    def dense_dim(self):
        return self._vals.dim() - 1

    def _nnz(self):
        return self._vals.shape[0]

    def is_coalesced(self):
        return self._coalesced

    def _indices(self):
        return self._idx

    def _values(self):
        return self._vals

    def indices(self):
        self._need_coalesced("indices")
        return self._idx

    def values(self):
        self._need_coalesced("values")
        return self._vals

    def _need_coalesced(self, name):
        if not self._coalesced:
            raise RuntimeError(f"Cannot get {name} on an uncoalesced tensor, please call "
                               f".coalesce() first")

    # ---- conversions -----------------------------------------------------------------------
    def _linear_index(self):
        """Each entry's row-major position among the sparse dims."""
        sizes = self._size[:self.sparse_dim()]
        linear = zeros(self._nnz(), dtype=_dtype.int64, device=self._idx.device)
        for d, n in enumerate(sizes):
            linear = linear * n + self._idx[d]
        return linear

    def coalesce(self):
        """The same tensor with each position once (repeats summed) and positions sorted."""
        if self._coalesced:
            return self
        positions, inverse = unique(self._linear_index(), sorted=True, return_inverse=True)
        summed = index_add(zeros((positions.shape[0],) + tuple(self._vals.shape[1:]),
                                 dtype=self.dtype, device=self.device), 0, inverse, self._vals)
        rows = []
        for n in reversed(self._size[:self.sparse_dim()]):
            rows.append(positions % n)
            positions = positions // n
        return SparseCooTensor(stack(rows[::-1]), summed, self._size, coalesced=True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        sparse_numel = math.prod(self._size[:self.sparse_dim()])
        flat = zeros((sparse_numel,) + tuple(self._vals.shape[1:]), dtype=self.dtype,
                     device=self.device)
        dense = index_add(flat, 0, self._linear_index(), self._vals).reshape(self._size)
        return dense if dtype is None else dense.to(dtype)

    def to(self, *args, **kwargs):
        """The values converted as Tensor.to converts them; the indices follow their device."""
        values = self._vals.to(*args, **kwargs)
        return SparseCooTensor(self._idx.to(values.device), values, self._size, self._coalesced)

    # ---- products --------------------------------------------------------------------------
    def mm(self, dense):
        """self @ dense for a 2-D sparse matrix with scalar entries and a 2-D dense matrix:
        row i of the result sums values[k] * dense[col_k] over the entries k of row i."""
        if self.sparse_dim() != 2 or self.dense_dim() != 0:
            raise RuntimeError(f"addmm: matrices expected, got {self.sparse_dim()}D tensor")
        if not isinstance(dense, Tensor) or dense.dim() != 2:
            raise NotImplementedError("ember: sparse.mm multiplies a sparse COO matrix by a "
                                      "dense 2-D tensor only")
        if dense.shape[0] != self._size[1]:
            raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size "
                               f"{self._size[1]}, got {dense.shape[0]}")
        rows, cols = self._idx
        products = self._vals.unsqueeze(1) * dense.index_select(0, cols)
        out = zeros(self._size[0], dense.shape[1], dtype=products.dtype, device=self.device)
        return index_add(out, 0, rows, products)

    __matmul__ = matmul = mm

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """torch.mm / torch.matmul of a sparse COO matrix by a dense one; NotImplemented for the
        rest."""
        if (public_name(func) in ("mm", "matmul") and len(args) == 2 and not kwargs
                and isinstance(args[0], SparseCooTensor)):
            return args[0].mm(args[1])
        return NotImplemented

    def __repr__(self):
        def field(name, tensor, indent):
            return f"{name}=" + repr(tensor).replace("\n", "\n" + " " * indent)
        extra = ", requires_grad=True" if self.requires_grad else ""
        return (f"tensor({field('indices', self._idx, 15)},\n"
                f"       {field('values', self._vals, 14)},\n"
                f"       size={tuple(self._size)}, nnz={self._nnz()}, "
                f"layout={sparse_coo}{extra})")


def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse COO tensor of the given entries (NOTE [ Sparse COO ]); without a size, each
    sparse dim is one more than its largest index and the dense dims are those of values. The
    values keep their autograd history."""
    values = as_tensor(values, dtype=dtype, device=device)
    indices = as_tensor(indices, dtype=_dtype.int64, device=values.device)
    if indices.dim() != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(indices.shape)}")
    if indices.shape[1] != values.shape[0]:
        raise RuntimeError(f"indices and values must have same nnz, but got nnz from indices: "
                           f"{indices.shape[1]}, nnz from values: {values.shape[0]}")
    if size is None:
        sparse_sizes = (indices.max(1).values + 1).tolist() if indices.shape[1] else \
            [0] * indices.shape[0]
        size = tuple(sparse_sizes) + tuple(values.shape[1:])
    if requires_grad:  # torch would make the sparse tensor a leaf with a sparse .grad
        raise NotImplementedError("ember: a sparse tensor cannot be a leaf that requires grad; "
                                  "pass values that require grad (their .grad is dense)")
    return SparseCooTensor(indices, values, size, coalesced=bool(is_coalesced))
