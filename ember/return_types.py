"""torch.return_types: the named tuples that max/min/median/sort/topk/cummax/cummin/kthvalue and
the ember.linalg decompositions return (picklable, with PyTorch's repr)."""
import collections

__all__ = ["max", "min", "median", "nanmedian", "aminmax", "mode", "sort", "topk", "cummax", "cummin", "kthvalue",
           "linalg_slogdet", "linalg_eig", "linalg_eigh", "linalg_svd", "linalg_inv_ex", "slogdet",
           "qr", "svd",
           "geqrf", "lu_unpack", "linalg_qr", "linalg_lu", "linalg_lu_factor",
           "linalg_lu_factor_ex", "linalg_solve_ex", "linalg_cholesky_ex", "linalg_lstsq"]


def _return_type(name, fields=("values", "indices")):
    cls = collections.namedtuple(name, fields)
    cls.__module__ = __name__

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"
    cls.__repr__ = __repr__
    return cls


max = _return_type("max")
min = _return_type("min")
median = _return_type("median")
nanmedian = _return_type("nanmedian")
sort = _return_type("sort")
topk = _return_type("topk")
cummax = _return_type("cummax")
cummin = _return_type("cummin")
kthvalue = _return_type("kthvalue")
aminmax = _return_type("aminmax", ("min", "max"))
mode = _return_type("mode")
linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
linalg_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
linalg_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
linalg_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
slogdet = _return_type("slogdet", ("sign", "logabsdet"))
qr = _return_type("qr", ("Q", "R"))
svd = _return_type("svd", ("U", "S", "V"))
geqrf = _return_type("geqrf", ("a", "tau"))
lu_unpack = _return_type("lu_unpack", ("P", "L", "U"))
linalg_qr = _return_type("linalg_qr", ("Q", "R"))
linalg_lu = _return_type("linalg_lu", ("P", "L", "U"))
linalg_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
linalg_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
linalg_ldl_factor = _return_type("linalg_ldl_factor", ("LD", "pivots"))
linalg_ldl_factor_ex = _return_type("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
__all__ += ["linalg_ldl_factor", "linalg_ldl_factor_ex"]
frexp = _return_type("frexp", ("mantissa", "exponent"))
histogram = _return_type("histogram", ("hist", "bin_edges"))
histogramdd = _return_type("histogramdd", ("hist", "bin_edges"))
__all__ += ["frexp", "histogram", "histogramdd"]
triangular_solve = _return_type("triangular_solve", ("solution", "cloned_coefficient"))
_lu_with_info = _return_type("_lu_with_info", ("LU", "pivots", "info"))
__all__ += ["triangular_solve"]
