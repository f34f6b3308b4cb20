"""torch.return_types: the (values, indices) named tuples that max/min/median/sort/topk return."""
import collections

__all__ = ["max", "min", "median", "sort", "topk"]


def _return_type(name):
    cls = collections.namedtuple(name, ["values", "indices"])
    cls.__module__ = __name__
    cls.__repr__ = lambda self: (f"torch.return_types.{name}(\nvalues={self.values!r},\n"
                                 f"indices={self.indices!r})")
    return cls


max = _return_type("max")
min = _return_type("min")
median = _return_type("median")
sort = _return_type("sort")
topk = _return_type("topk")
