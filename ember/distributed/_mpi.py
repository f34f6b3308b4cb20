"""mpi4py, imported on first use only (`import ember` never initialises MPI), and where MPICH's
`mpiexec` is."""
import importlib.util
import os
import shutil
import sys

INSTALL_HINT = "pip install 'ember[distributed]' (mpi4py and the mpich wheel)"


def available():
    """True when mpi4py can be imported; looks for it without importing (importing initialises
    MPI)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The mpi4py.MPI module, with a clear message when the extra is missing."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(f"ember.distributed needs mpi4py, which could not be imported "
                           f"({exc}): {INSTALL_HINT}") from None
    return MPI


def mpiexec():
    """The mpiexec next to this Python (the mpich wheel puts it there), else the one on PATH, else
    None."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.exists(here):
        return here
    return shutil.which("mpiexec")
