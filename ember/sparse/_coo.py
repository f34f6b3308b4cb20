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
import numbers
import operator

from .._backend import xp_of
from .._creation import as_tensor, zeros
from .._foreign import public_name
from .._memory_layout import layout
from .._tensor import Size, Tensor
from .. import _dtype
from ..autograd.grad_mode import state as _grad_state
from ..ops import cat, index_add, stack, unique
from ..ops._scatter import index_add_rows

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

    def _with_values(self, values, coalesced=None):
        """The same positions holding other values."""
        return SparseCooTensor(self._idx, values, self._size,
                               self._coalesced if coalesced is None else coalesced)

    def _assign(self, other):
        """Become other (an in-place op's result): the same object, as torch's in-place ops."""
        self._idx, self._vals, self._coalesced = other._idx, other._vals, other._coalesced
        return self

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

    def numel(self):
        return math.prod(self._size)

    def is_complex(self):
        return self._vals.is_complex()

    def is_floating_point(self):
        return self._vals.is_floating_point()

    @property
    def data(self):
        """The same entries cut from autograd (sharing their memory), as Tensor.data."""
        return self._with_values(self._vals.detach())

    def detach(self):
        return self._with_values(self._vals.detach())

    def detach_(self):
        self._vals = self._vals.detach()
        return self

    def requires_grad_(self, requires_grad=True):
        if requires_grad:  # torch would make it a leaf with a sparse .grad (sparse_coo_tensor)
            raise NotImplementedError("ember: a sparse tensor cannot be a leaf that requires "
                                      "grad; pass values that require grad (their .grad is "
                                      "dense)")
        self._vals.requires_grad_(False)
        return self

    def clone(self):
        return SparseCooTensor(self._idx.clone(), self._vals.clone(), self._size,
                               self._coalesced)

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

    # ---- arithmetic (what optimizers and users do with a sparse gradient) ----------------------
    def add(self, other, *, alpha=1):
        """sparse + alpha * sparse, laid out as torch's: where either has no entries, a copy of
        the other; where both values are contiguous, their merge (_merged); else the entries of
        self then other's (uncoalesced). A dense other is refused, as torch's add(sparse,
        dense)."""
        if isinstance(other, Tensor):
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")
        if not isinstance(other, SparseCooTensor):
            raise TypeError(f"add(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(other).__name__}")
        if other._size != self._size:
            raise _size_mismatch("add", self._size, other._size)
        values = other._vals if alpha == 1 else other._vals * alpha
        if other._nnz() == 0:
            return self.clone()
        if self._nnz() == 0:
            return other._with_values(values.clone() if alpha == 1 else values)
        if not (_contiguous(self._vals) and _contiguous(values)):
            return SparseCooTensor(cat([self._idx, other._idx], 1), cat([self._vals, values]),
                                   self._size)
        return self._merged(other, values)

    def _merged(self, other, other_values):
        """torch's sum of two sparse tensors whose values are contiguous: one pass over both entry
        lists at once, taking the entry at the smaller position first and the two heads together
        (added) where their positions are equal. Coalesced inputs give a coalesced result."""
        mine, theirs = self._linear_index().tolist(), other._linear_index().tolist()
        slot_mine, slot_theirs = [], []
        i = j = n = 0
        while i < len(mine) or j < len(theirs):
            take_mine = j >= len(theirs) or i < len(mine) and mine[i] <= theirs[j]
            take_theirs = i >= len(mine) or j < len(theirs) and theirs[j] <= mine[i]
            if take_mine:
                slot_mine.append(n)
                i += 1
            if take_theirs:
                slot_theirs.append(n)
                j += 1
            n += 1
        device = self._idx.device
        slot_mine = as_tensor(slot_mine, dtype=_dtype.int64, device=device)
        slot_theirs = as_tensor(slot_theirs, dtype=_dtype.int64, device=device)
        indices = zeros((self.sparse_dim(), n), dtype=_dtype.int64, device=device)
        indices[:, slot_mine] = self._idx
        indices[:, slot_theirs] = other._idx
        empty = zeros((n,) + tuple(self._vals.shape[1:]), dtype=self.dtype, device=self.device)
        values = index_add(index_add(empty, 0, slot_mine, self._vals), 0, slot_theirs,
                           other_values)
        return SparseCooTensor(indices, values, self._size,
                               self._coalesced and other._coalesced)

    def add_(self, other, *, alpha=1):
        return self._assign(self.add(other, alpha=alpha))

    def __add__(self, other):
        if not isinstance(other, (SparseCooTensor, Tensor)):
            return NotImplemented
        return self.add(other)

    def __iadd__(self, other):
        return self.add_(other)

    def __radd__(self, other):
        """dense + sparse: a dense tensor, as torch's add(dense, sparse)."""
        if not isinstance(other, Tensor):
            return NotImplemented
        return other + self.to_dense()

    def _by_number(self, other, op, verb):
        """The entries op a number (or a 0-d tensor); the positions stay."""
        if isinstance(other, SparseCooTensor) or isinstance(other, Tensor) and other.dim():
            raise NotImplementedError(f"ember: a sparse tensor {verb} by a number only")
        if not isinstance(other, (numbers.Number, Tensor)):
            return NotImplemented
        return self._with_values(op(self._vals, other))

    def mul(self, other):
        return self._by_number(other, operator.mul, "multiplies")

    __mul__ = __rmul__ = mul

    def mul_(self, other):
        return self._assign(self.mul(other))

    def div(self, other):
        return self._by_number(other, operator.truediv, "divides")

    __truediv__ = div

    def div_(self, other):
        return self._assign(self.div(other))

    def neg(self):
        return self._with_values(-self._vals)

    __neg__ = neg

    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum of every element: a dense 0-d tensor (the values' sum: repeats add up)."""
        if dim is not None:
            raise NotImplementedError("ember: sum of a sparse tensor over a dim is not "
                                      "available")
        return self._vals.sum(dtype=dtype)

    def zero_(self):
        """No entries left (nnz 0, coalesced), as torch's zero_ of a sparse tensor."""
        self._idx = zeros((self.sparse_dim(), 0), dtype=_dtype.int64, device=self._idx.device)
        self._vals = zeros((0,) + tuple(self._vals.shape[1:]), dtype=self.dtype,
                           device=self.device)
        self._coalesced = True
        return self

    def _add_into(self, dense, alpha=1):
        """dense += alpha * self in dense's memory (torch's dense.add_(sparse)): a scatter-add
        of the entries, no graph; bumps dense's version."""
        if _grad_state.enabled and (dense.requires_grad or self.requires_grad):
            raise NotImplementedError("ember: an in-place add of a sparse tensor where autograd "
                                      "records it is not available")
        if tuple(dense.shape) != tuple(self._size):
            raise _size_mismatch("add_", dense.shape, self._size)
        target = dense._data
        values = self._vals._data
        if alpha != 1:
            values = values * alpha
        sparse_numel = math.prod(self._size[:self.sparse_dim()])
        rows = target.reshape((sparse_numel,) + values.shape[1:])  # a view when contiguous
        index_add_rows(xp_of(target), rows, self._linear_index()._data,
                       values.astype(target.dtype, copy=False))
        if not target.flags.c_contiguous:  # rows was a copy: write the sum back
            target[...] = rows.reshape(target.shape)
        dense._vc[0] += 1
        return dense

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
        """torch.mm / torch.matmul of a sparse COO matrix by a dense one; torch.add and
        Tensor.add_ of a dense tensor and a sparse one; NotImplemented for the rest."""
        kwargs = kwargs or {}
        name = public_name(func)
        if (name in ("mm", "matmul") and len(args) == 2 and not kwargs
                and isinstance(args[0], SparseCooTensor)):
            return args[0].mm(args[1])
        dense_first = len(args) == 2 and isinstance(args[0], Tensor) and \
            isinstance(args[1], SparseCooTensor) and set(kwargs) <= {"alpha"}
        if func is Tensor.add_ and dense_first:
            return args[1]._add_into(args[0], kwargs.get("alpha", 1))
        if name == "add" and dense_first:
            alpha = kwargs.get("alpha", 1)
            return args[0] + (args[1] if alpha == 1 else args[1] * alpha)
        if name == "add" and len(args) == 2 and isinstance(args[0], SparseCooTensor) and \
                set(kwargs) <= {"alpha"}:
            return args[0].add(args[1], **kwargs)
        return NotImplemented

    def __repr__(self):
        def field(name, tensor, indent):
            if tensor.numel() == 0:  # torch names no dtype inside a sparse tensor's repr
                return f"{name}=tensor([], size={tuple(tensor.shape)})"
            return f"{name}=" + repr(tensor).replace("\n", "\n" + " " * indent)
        extra = ", requires_grad=True" if self.requires_grad else ""
        return (f"tensor({field('indices', self._idx, 15)},\n"
                f"       {field('values', self._vals, 14)},\n"
                f"       size={tuple(self._size)}, nnz={self._nnz()}, "
                f"layout={sparse_coo}{extra})")


def _size_mismatch(name, self_size, other_size):
    """torch's error for a sparse addition of two sizes (it broadcasts none)."""
    return RuntimeError(f"{name}: expected 'self' and 'other' to have same size, but self has "
                        f"size {list(self_size)} while other has size {list(other_size)} (FYI: "
                        "dense-sparse addition does not currently support broadcasting)")


def _contiguous(t):
    return bool(t._data.flags.c_contiguous)


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
