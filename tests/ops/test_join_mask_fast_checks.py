"""cat's shape check compares each shape's other dims in one go, masked_fill skips the broadcast
of a mask of the input's own shape, and both skip the dtype promotion when nothing differs:
their results and errors against torch, where those short cuts apply and where they do not."""
import numpy as np
import pytest

from .parity import same

CATS = [
    ("same", [(2, 3, 4), (2, 3, 4)], 2), ("grow_dim", [(2, 3, 4), (2, 5, 4)], 1),
    ("negative_dim", [(2, 3), (2, 1)], -1), ("skipped_empty", [(0,), (2, 3), (0,)], 1),
    ("other_dim_differs", [(2, 3, 4), (2, 3, 5)], 1), ("first_dim_differs", [(2, 3), (3, 3)], 1),
    ("ranks_differ", [(2, 3), (2, 3, 1)], 0), ("dim_out_of_range", [(2, 3), (2, 3)], 2),
    ("three", [(1, 2), (4, 2), (2, 2)], 0),
]


@pytest.mark.parametrize("shapes,dim", [c[1:] for c in CATS], ids=[c[0] for c in CATS])
@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float32", "float64"),
                                    ("int64", "float32")])
def test_cat_matches_torch(shapes, dim, dtypes):
    arrays = [np.arange(np.prod(s)).reshape(s) for s in shapes]

    def cat(lib):
        kinds = [getattr(lib, dtypes[min(i, 1)]) for i in range(len(arrays))]
        return lib.cat([lib.tensor(a, dtype=k) for a, k in zip(arrays, kinds)], dim)
    same(cat)


MASKS = [("same_shape", (3, 4), (3, 4)), ("row_mask", (3, 4), (4,)),
         ("column_mask", (3, 4), (3, 1)), ("mask_broadcasts_input", (3, 1), (3, 4)),
         ("mask_too_big", (3, 4), (2, 3, 4)), ("mismatch", (3, 4), (3, 3)), ("zero_d", (), ()),
         ("mask_empties_input", (4, 2, 4, 1), (4, 0))]


@pytest.mark.parametrize("x_shape,m_shape", [m[1:] for m in MASKS], ids=[m[0] for m in MASKS])
def test_masked_fill_matches_torch(x_shape, m_shape):
    x = np.arange(np.prod(x_shape), dtype=np.float32).reshape(x_shape)
    m = (np.arange(np.prod(m_shape)) % 3 == 0).reshape(m_shape)
    same(lambda lib: lib.tensor(x).masked_fill(lib.tensor(m), -1.5))
