"""Tensors in ember: making them, their dtypes, sharing memory with NumPy, indexing, in-place
updates and how they print.

Run with `python examples/tensor_basics.py`. `main()` returns the numbers the script reports, so
tests/e2e/test_examples.py can check them.
"""
import numpy as np

import ember


def creation():
    """A tour of the constructors; returns the tensors it made, by name."""
    made = {
        "from_list": ember.tensor([[1.0, 2.0], [3.0, 4.0]]),  # copies the Python data
        "zeros": ember.zeros(2, 3),                           # sizes as arguments...
        "full": ember.full((2, 2), 7),                        # ...or as one tuple
        "steps": ember.arange(0, 10, 3),                      # 0, 3, 6, 9 (ints in, int64 out)
        "grid": ember.linspace(-1, 1, steps=5),               # both ends included
        "eye": ember.eye(3),
    }
    ember.manual_seed(7)  # the random constructors are reproducible once seeded
    made["uniform"] = ember.rand(2, 2)      # U[0, 1)
    made["normal"] = ember.randn(2, 2)      # N(0, 1)
    # *_like copies shape and dtype from another tensor; new_* copies only the dtype.
    made["ones_like"] = ember.ones_like(made["from_list"])
    made["new_full"] = made["steps"].new_full((3,), -1)
    for name, t in made.items():
        print(f"{name:>9}: shape {tuple(t.shape)}, dtype {t.dtype}")
    return made


def dtypes():
    """Default dtypes, conversions and the promotion rule for mixed operands."""
    floats = ember.tensor([1.5, 2.5])             # Python floats -> float32 (the default)
    ints = ember.tensor([1, 2])                   # Python ints -> int64
    flags = ints > 1                              # comparisons give bool
    doubled = floats.to(ember.float64)            # .to() converts (and returns a new tensor)
    truncated = floats.int()                      # float -> int32 drops the fraction
    mixed = ints + floats                         # int64 + float32 -> float32
    print(f"floats {floats.dtype}, ints {ints.dtype}, flags {flags.dtype}")
    print(f"converted {doubled.dtype}, truncated {truncated.tolist()} ({truncated.dtype})")
    print(f"int64 + float32 -> {mixed.dtype}; "
          f"a float64 element takes {doubled.element_size()} bytes")
    return {"default": floats.dtype, "ints": ints.dtype, "flags": flags.dtype,
            "mixed": mixed.dtype, "truncated": truncated.tolist()}


def numpy_sharing():
    """from_numpy and .numpy() share memory with the array; ember.tensor(array) copies it."""
    array = np.arange(4, dtype=np.float32)
    shared = ember.from_numpy(array)
    copied = ember.tensor(array)
    array[0] = 100.0                  # a write through NumPy...
    shared.mul_(2)                    # ...and one through ember touch the same buffer
    back = shared.numpy()             # no copy either: back is a view of array
    print(f"array after both writes: {array}")
    print(f"the copy kept the original values: {copied.tolist()}")
    return {"array": array.tolist(), "copied": copied.tolist(),
            "same_buffer": np.shares_memory(back, array)}


def indexing():
    """Slices are views; boolean masks and integer lists gather copies."""
    board = ember.arange(12).reshape(3, 4)
    corner = board[:2, -2:]             # rows 0-1, last two columns: a view
    corner.fill_(0)                     # writing the view writes the board
    evens = board[board % 2 == 0]       # a mask picks elements into a new 1-D tensor
    picked = board[[0, 2], [1, 3]]      # pairs (0, 1) and (2, 3)
    board[1] = -1                       # assigning a scalar to a whole row
    print(f"board after the writes:\n{board}")
    print(f"even entries before the row write: {evens.tolist()}; picked {picked.tolist()}")
    return {"board": board.tolist(), "evens": evens.tolist(), "picked": picked.tolist()}


def in_place():
    """A trailing underscore means "change this tensor": no new tensor, same storage."""
    t = ember.tensor([-2.0, -0.5, 0.5, 2.0])
    address = t.data_ptr()
    t.mul_(3).add_(1).clamp_(min=-1.0, max=4.0)    # each returns t, so they chain
    unchanged = t.abs()                             # no underscore: t stays as it is
    print(f"after mul_, add_, clamp_: {t.tolist()} (same storage: {t.data_ptr() == address})")
    return {"values": t.tolist(), "same_storage": t.data_ptr() == address,
            "abs": unchanged.tolist()}


def printing():
    """The repr shows dtype only when it is not the default; long tensors are summarised."""
    texts = {
        "float": repr(ember.tensor([1.0, 2.25])),
        "int": repr(ember.tensor([3, 4])),
        "double": repr(ember.tensor([0.5], dtype=ember.float64)),
        "long": repr(ember.arange(2000)),
    }
    ember.set_printoptions(precision=2)
    texts["precision_2"] = repr(ember.tensor([1 / 3]))
    ember.set_printoptions(profile="default")   # back to 4 digits
    for name, text in texts.items():
        print(f"{name}: {text}")
    return texts


def main():
    results = {}
    for part in (creation, dtypes, numpy_sharing, indexing, in_place, printing):
        print(f"== {part.__name__} ==")
        results[part.__name__] = part()
    return results


if __name__ == "__main__":
    main()
