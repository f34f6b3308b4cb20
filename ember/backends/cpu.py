"""torch.backends.cpu."""


def get_cpu_capability():
    """The SIMD level ember's kernels use: ember hands its math to NumPy, which picks its own at
    run time, so this reports "DEFAULT"."""
    return "DEFAULT"
