"""The optional compiled core: which modules an install compiles, and when ember imports their
Python sources instead.

NOTE [ Compiled core ]
Per-op bookkeeping (Op.apply, Function.apply, the backward engine) is most of a small op's time,
and the next most is the hottest ops' own Python: the arithmetic ops (Add, Mul ... and their
backward formulas), the operand promotion they share (ops/_common.py) and the array-backend
helpers (_backend.py: broadcast views, relu's backward). Compiling those three as well took the
`overhead` step 25.7 -> 24.5 us (ember alone, old and new alternating, Intel Xeon AVX-512, 2
vCPUs); compiling activation, reduce and shape too gained nothing more there.
setup.py compiles the modules named in COMPILED with Cython when Cython and a C compiler are at
hand: the same .py files, in Cython's pure-Python mode, no second implementation; without a
compiler the install goes on in pure Python. The .py sources are the reference. Python imports an
extension module before a .py file of the same name, so a finder here picks the .py file instead
- when EMBER_PURE_PYTHON=1 is set at import time (CI runs the tests both ways; cProfile sees
  inside Python functions only). EMBER_PURE_PYTHON=1 at install time skips the build;
- when the .py file is newer than its compiled module (an edit after an editable install), with a
  warning: a stale build must never hide a change to the source.
"""
import importlib.machinery
import os
import sys
import warnings

COMPILED = ("ember.ops._op", "ember.autograd.engine", "ember.autograd.function",
            "ember.ops.arithmetic", "ember.ops._common", "ember._backend")


def _pure_python():
    return os.environ.get("EMBER_PURE_PYTHON", "") not in ("", "0")


class _PythonSources:
    """A meta-path finder that loads a COMPILED module from its .py file when asked to, or when
    the compiled module is older than the source."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in COMPILED or not path:
            return None
        folder, base = path[0], name.rpartition(".")[2]
        source = os.path.join(folder, base + ".py")
        if not _pure_python():
            built = [os.path.join(folder, base + s) for s in importlib.machinery.EXTENSION_SUFFIXES]
            built = [b for b in built if os.path.exists(b)]
            if not built or not os.path.exists(source) or \
                    os.path.getmtime(source) <= os.path.getmtime(built[0]):
                return None
            warnings.warn(f"ember: {source} changed after it was compiled; using the Python "
                          "source (rebuild with `pip install -e .` to compile it again)",
                          RuntimeWarning, stacklevel=2)
        finder = importlib.machinery.FileFinder(
            folder, (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES))
        return finder.find_spec(name)


def active():
    """The names of the COMPILED modules that are loaded from compiled code."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return tuple(name for name in COMPILED
                 if getattr(sys.modules.get(name), "__file__", "").endswith(suffixes))


if not any(isinstance(f, _PythonSources) for f in sys.meta_path):
    sys.meta_path.insert(0, _PythonSources())
