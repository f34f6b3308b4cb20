"""Build step for the optional compiled core (NOTE [ Compiled core ] in ember/_compiled.py);
everything else about the package is in pyproject.toml."""
import os
import runpy
import sys

from setuptools import Extension, setup


def compiled_core():
    """Cython extensions for ember/_compiled.py's COMPILED modules, or none when Cython is
    missing or EMBER_PURE_PYTHON is set. They are optional: a failed C build leaves the
    pure-Python install."""
    if os.environ.get("EMBER_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("ember: Cython not found; installing the pure-Python core", file=sys.stderr)
        return []
    here = os.path.dirname(os.path.abspath(__file__))
    names = runpy.run_path(os.path.join(here, "ember", "_compiled.py"))["COMPILED"]
    # -O1: the generated C is mostly calls into CPython; -O3 doubles the build time for nothing
    flags = [] if sys.platform == "win32" else ["-O1"]
    extensions = [Extension(name, [name.replace(".", "/") + ".py"], optional=True,
                            extra_compile_args=flags) for name in names]
    return cythonize(extensions, language_level=3, quiet=True, nthreads=os.cpu_count() or 1)


setup(ext_modules=compiled_core())
