"""torch.quasirandom: SobolEngine, Sobol' low-discrepancy sequences in Gray-code order.

Unscrambled sequences are torch's, point for point: the same direction numbers (S. Joe and
F. Y. Kuo's table, in ember/_sobol_table.py up to dimension 1024 and read from SciPy's copy above
that), 30 bits, and torch's order (point k is the XOR of the direction numbers picked by the bits
of k's Gray code). Scrambled sequences use the same method as torch (a random lower-triangular
binary matrix applied to each dimension's direction numbers, then a random digital shift) but
draw its randomness from ember's generator, so their numbers differ from torch's for a seed.
"""
import numpy as np

from . import _dtype
from ._random import Generator, default_generator
from ._sobol_table import TABLE
from ._tensor import _make

__all__ = ["SobolEngine"]

_TABLE_DIMS = TABLE.count("\n")  # the table's lines plus dimension 1


def _table_rows(dimension):
    """(polynomial, initial direction numbers) of dimensions 2 .. dimension."""
    if dimension <= _TABLE_DIMS:
        lines = TABLE.split("\n")[1:dimension]
        return [(int(p), [int(m) for m in ms]) for p, *ms in (ln.split() for ln in lines)]
    try:
        import os

        import scipy
    except ImportError:
        raise ValueError(f"SobolEngine: ember carries direction numbers for dimensions up to "
                         f"{_TABLE_DIMS}; dimension {dimension} needs SciPy's copy of the "
                         f"Joe-Kuo table (pip install scipy)") from None
    data = np.load(os.path.join(os.path.dirname(scipy.__file__), "stats",
                                "_sobol_direction_numbers.npz"))
    poly, vinit = data["poly"], data["vinit"]
    return [(int(poly[d]), [int(m) for m in vinit[d, :int(poly[d]).bit_length() - 1]])
            for d in range(1, dimension)]


def _direction_numbers(dimension, bits):
    """(dimension, bits) int64: v_k = m_k << (bits - k), m from the primitive polynomial's
    recurrence m_k = m_{k-s} ^ (m_{k-s} << s) ^ XOR_j a_j (m_{k-j} << j)."""
    v = np.empty((dimension, bits), dtype=np.int64)
    v[0] = 1
    for d, (poly, m) in enumerate(_table_rows(dimension), start=1):
        s = poly.bit_length() - 1
        m = list(m)
        for k in range(s, bits):
            new = m[k - s] ^ (m[k - s] << s)
            for j in range(1, s):
                if (poly >> (s - j)) & 1:
                    new ^= m[k - j] << j
            m.append(new)
        v[d] = m[:bits]
    return v << np.arange(bits - 1, -1, -1, dtype=np.int64)


def _lowest_set_bit(k):
    """Index of the lowest set bit of each positive k."""
    return np.log2((k & -k).astype(np.float64)).astype(np.int64)


class SobolEngine:
    """Draws points of a `dimension`-dimensional Sobol' sequence in [0, 1)."""
    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError("Supported range of dimensionality for SobolEngine is "
                             f"[1, {self.MAXDIM}]")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self._v = _direction_numbers(dimension, self.MAXBIT)
        self._shift = np.zeros(dimension, dtype=np.int64)
        if scramble:
            self._scramble()
        self.sobolstate = _make(self._v.copy())
        self.shift = _make(self._shift.copy())
        self.reset()

    def _scramble(self):
        rng = default_generator.rng if self.seed is None else \
            Generator().manual_seed(self.seed).rng
        bits = self.MAXBIT
        self._shift = rng.integers(0, 1 << bits, size=self.dimension, dtype=np.int64)
        # digits of each direction number, most significant first: (dim, bits, bits)
        weights = np.int64(1) << np.arange(bits - 1, -1, -1, dtype=np.int64)
        digits = (self._v[:, :, None] & weights) != 0
        lower = np.tril(rng.integers(0, 2, size=(self.dimension, bits, bits)), -1)
        lower[:, np.arange(bits), np.arange(bits)] = 1
        mixed = np.einsum("dij,dkj->dki", lower, digits.astype(np.int64)) & 1
        self._v = (mixed * weights).sum(-1)

    def _point(self, k):
        """The integer point of index k."""
        gray = k ^ (k >> 1)
        picked = (gray >> np.arange(self.MAXBIT)) & 1
        return np.bitwise_xor.reduce(self._v[:, picked.astype(bool)], axis=1,
                                     initial=0) ^ self._shift

    def _next(self, n):
        """The integer points of indices num_generated .. num_generated + n - 1, (n, dim)."""
        start = self.num_generated
        steps = self._v[:, _lowest_set_bit(np.arange(max(start, 1), start + n))].T
        if start == 0:
            return np.bitwise_xor.accumulate(np.vstack([self._shift[None], steps]), axis=0)
        return np.bitwise_xor.accumulate(np.vstack([self._quasi[None], steps]), axis=0)[1:]

    def draw(self, n=1, out=None, dtype=None):
        """The next n points, (n, dimension), in dtype (default: the default float dtype)."""
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n - 1}: "
                               f"[{n - 1}, {self.dimension}]")
        points = self._next(n)
        if n:
            self._quasi = points[-1].copy()
            self.quasi = _make(self._quasi.copy())
        self.num_generated += n
        dt = dtype or _dtype.get_default_dtype()
        result = _make((points / float(1 << self.MAXBIT)).astype(dt.np))
        if out is not None:
            if tuple(out.shape) == tuple(result.shape):
                out.copy_(result)
            else:  # torch resizes out to the result
                out.data = result.to(out.dtype)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next 2**m points; the total drawn must stay a power of 2 (the balance property)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if total_n & (total_n - 1):
            raise ValueError("The balance properties of Sobol' points require n to be a power "
                             f"of 2. {self.num_generated} points have been previously "
                             f"generated, then: n={self.num_generated}+2**{m}={total_n}. If you "
                             "still want to do this, please use 'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def fast_forward(self, n):
        """Skip the next n points."""
        if n > 0:
            self._quasi = self._point(self.num_generated + n - 1)
            self.quasi = _make(self._quasi.copy())
        self.num_generated += n
        return self

    def reset(self):
        """Back to the first point."""
        self._quasi = self._shift.copy()
        self.quasi = _make(self._quasi.copy())
        self.num_generated = 0
        return self

    def __repr__(self):
        fields = [f"dimension={self.dimension}"]
        if self.scramble:
            fields.append("scramble=True")
        if self.seed is not None:
            fields.append(f"seed={self.seed}")
        return f"SobolEngine({', '.join(fields)})"
