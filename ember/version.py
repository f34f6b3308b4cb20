"""torch.version: the build's version strings. ember is one pure-Python build for every device, so
it names no CUDA/ROCm/XPU toolkit it was compiled against (`cuda` is None, as in a CPU build of
torch: programs test `torch.version.cuda is not None` before relying on CUDA build features)."""
__all__ = ["__version__", "debug", "cuda", "git_version", "hip", "rocm", "xpu"]

__version__ = "0.1.0"  # pyproject.toml's version
debug = False
cuda = None
git_version = "unknown"  # an installed ember does not know the commit it came from
hip = None
rocm = None
xpu = None
