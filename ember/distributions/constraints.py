"""Constraints: the sets a distribution's parameters and samples live in. `check(value)` gives a
bool tensor, False where the value is outside the set; `event_dim` counts the rightmost dims that
form one point of the set (a simplex's last dim), which check reduces over."""
from ..ops import all as _all, isclose, tril

__all__ = ["Constraint", "boolean", "dependent", "dependent_property", "greater_than",
           "greater_than_eq", "independent", "integer_interval", "interval", "is_dependent",
           "less_than", "lower_cholesky", "nonnegative", "nonnegative_integer", "positive",
           "positive_definite", "positive_integer", "real", "real_vector", "simplex",
           "unit_interval"]


class Constraint:
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return self.__class__.__name__[1:] + "()"


class _Dependent(Constraint):
    """A placeholder for a set that depends on other parameters (Uniform's low and high): it
    cannot be checked on its own."""

    def __init__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self):
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self):
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, x):
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint):
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property of a distribution whose value is its (parameter-dependent) support; on the
    class it stands as a dependent constraint."""

    def __init__(self, fn=None, *, is_discrete=NotImplemented, event_dim=NotImplemented):
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _IndependentConstraint(Constraint):
    """base_constraint with its `reinterpreted_batch_ndims` rightmost batch dims made event dims."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        if not isinstance(base_constraint, Constraint):
            raise TypeError("base_constraint must be a Constraint")
        if not isinstance(reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError("reinterpreted_batch_ndims must be a non-negative int")
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    def check(self, value):
        result = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        if result.ndim < n:
            expected = self.base_constraint.event_dim + n
            raise ValueError(f"Expected value.dim() >= {expected} but got {value.dim()}")
        return _all(result.reshape(result.shape[:result.ndim - n] + (-1,)), -1) if n else result

    def __repr__(self):
        return (f"{self.__class__.__name__[1:]}({self.base_constraint!r}, "
                f"{self.reinterpreted_batch_ndims})")


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        return (value == 0) | (value == 1)


class _IntegerInterval(Constraint):
    is_discrete = True

    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return ((value % 1 == 0) & (self.lower_bound <= value) & (value <= self.upper_bound))

    def __repr__(self):
        return (f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _IntegerGreaterThan(Constraint):
    is_discrete = True

    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return (value % 1 == 0) & (value >= self.lower_bound)

    def __repr__(self):
        return f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound})"


class _Real(Constraint):
    def check(self, value):
        return value == value  # False only at NaN


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return self.lower_bound < value

    def __repr__(self):
        return f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return self.lower_bound <= value


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return value < self.upper_bound

    def __repr__(self):
        return f"{self.__class__.__name__[1:]}(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def check(self, value):
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self):
        return (f"{self.__class__.__name__[1:]}(lower_bound={self.lower_bound}, "
                f"upper_bound={self.upper_bound})")


class _Simplex(Constraint):
    """Nonnegative vectors summing to 1 (within 1e-6) over the last dim."""
    event_dim = 1

    def check(self, value):
        return _all(value >= 0, -1) & ((value.sum(-1) - 1).abs() < 1e-6)


class _LowerCholesky(Constraint):
    """Lower-triangular matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value):
        lower = _all((tril(value) == value).reshape(value.shape[:-2] + (-1,)), -1)
        positive = _all(value.diagonal(dim1=-2, dim2=-1) > 0, -1)
        return lower & positive


class _PositiveDefinite(Constraint):
    """Symmetric matrices whose eigenvalues are all positive."""
    event_dim = 2

    def check(self, value):
        from ..linalg import eigvalsh
        symmetric = _all(isclose(value, value.transpose(-1, -2), atol=1e-6).reshape(
            value.shape[:-2] + (-1,)), -1)
        return symmetric & _all(eigvalsh(value) > 0, -1)


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
boolean = _Boolean()
integer_interval = _IntegerInterval
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
real = _Real()
real_vector = independent(real, 1)
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
unit_interval = _Interval(0.0, 1.0)
interval = _Interval
simplex = _Simplex()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()


def _all_last(value, n):
    """value (bool) reduced with all() over its n rightmost dims."""
    return _all(value.reshape(value.shape[:value.ndim - n] + (-1,)), -1) if n else value


class _HalfOpenInterval(_Interval):
    def check(self, value):
        return (self.lower_bound <= value) & (value < self.upper_bound)


class _OneHot(Constraint):
    """0/1 vectors with exactly one 1 in the last dim."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        return _all((value == 0) | (value == 1), -1) & (value.sum(-1) == 1)


class _Multinomial(Constraint):
    """Nonnegative count vectors whose total is at most upper_bound."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return _all(value >= 0, -1) & (value.sum(-1) <= self.upper_bound)


class _LowerTriangular(Constraint):
    event_dim = 2

    def check(self, value):
        return _all_last(tril(value) == value, 2)


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: rows of unit Euclidean norm."""
    event_dim = 2

    def check(self, value):
        from .._finfo import finfo
        from ..linalg import vector_norm
        tol = finfo(value.dtype).eps * value.shape[-1] * 10
        unit_rows = _all((vector_norm(value.detach(), dim=-1) - 1).abs() <= tol, -1)
        return lower_cholesky.check(value) & unit_rows


class _Square(Constraint):
    event_dim = 2

    def check(self, value):
        from .._creation import full
        from .._dtype import bool as bool_
        return full(tuple(value.shape[:-2]), value.shape[-2] == value.shape[-1], dtype=bool_,
                    device=value.device)


class _Symmetric(_Square):
    def check(self, value):
        square = super().check(value)
        if not bool(square.all()):
            return square
        return _all_last(isclose(value, value.transpose(-1, -2), atol=1e-6), 2)


class _PositiveSemidefinite(_Symmetric):
    def check(self, value):
        from ..linalg import eigvalsh
        symmetric = super().check(value)
        if not bool(symmetric.all()):
            return symmetric
        return _all(eigvalsh(value) >= 0, -1)


def _any_part_discrete(joined):
    """is_discrete of _Cat and _Stack: whether any of their parts is."""
    return any(c.is_discrete for c in joined.cseq)


def _check_dim_in_range(value, dim):
    """The IndexError _Cat and _Stack raise for a dim that value does not have."""
    if not -value.dim() <= dim < value.dim():
        raise IndexError(f"dim {dim} out of range for a value of {value.dim()} dims")


class _Cat(Constraint):
    """Each constraint of cseq on its own slice (of lengths[i], default 1) of dim."""

    def __init__(self, cseq, dim=0, lengths=None):
        self.cseq = list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError("cseq and lengths must have the same length")
        self.dim = dim

    is_discrete = property(_any_part_discrete)

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        from ..ops import cat as _cat
        _check_dim_in_range(value, self.dim)
        checks, start = [], 0
        for constraint, length in zip(self.cseq, self.lengths):
            checks.append(constraint.check(value.narrow(self.dim, start, length)))
            start += length
        return _cat(checks, self.dim)


class _Stack(Constraint):
    """Each constraint of cseq on its own index of dim."""

    def __init__(self, cseq, dim=0):
        self.cseq = list(cseq)
        self.dim = dim

    is_discrete = property(_any_part_discrete)

    @property
    def event_dim(self):
        dim = max(c.event_dim for c in self.cseq)
        return dim + 1 if self.dim + dim < 0 else dim

    def check(self, value):
        from ..ops import stack as _stack
        _check_dim_in_range(value, self.dim)
        parts = [value.select(self.dim, i) for i in range(value.size(self.dim))]
        return _stack([c.check(v) for v, c in zip(parts, self.cseq)], self.dim)


class MixtureSameFamilyConstraint(Constraint):
    """The support of a MixtureSameFamily: a value is valid when it is valid for each of the
    components (the base constraint checked against a component dim inserted before the event
    dims, then reduced over it)."""

    def __init__(self, base_constraint):
        if not isinstance(base_constraint, Constraint):
            raise TypeError("base_constraint must be a Constraint")
        self.base_constraint = base_constraint

    @property
    def is_discrete(self):
        return self.base_constraint.is_discrete

    @property
    def event_dim(self):
        return self.base_constraint.event_dim

    def check(self, value):
        result = self.base_constraint.check(value.unsqueeze(-1 - self.event_dim))
        if value.dim() < self.event_dim:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {value.dim()}")
        return _all_last(result.reshape(result.shape[:value.dim() - self.event_dim] + (-1,)), 1)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.base_constraint!r})"


cat = _Cat
corr_cholesky = _CorrCholesky()
half_open_interval = _HalfOpenInterval
lower_triangular = _LowerTriangular()
multinomial = _Multinomial
one_hot = _OneHot()
positive_semidefinite = _PositiveSemidefinite()
square = _Square()
stack = _Stack
symmetric = _Symmetric()

__all__ += ["MixtureSameFamilyConstraint", "cat", "corr_cholesky", "half_open_interval",
            "lower_triangular", "multinomial", "one_hot", "positive_semidefinite", "square",
            "stack", "symmetric"]
