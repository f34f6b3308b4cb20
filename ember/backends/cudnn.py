"""torch.backends.cudnn: settable flags. ember calls no cuDNN: CUDA convolutions run through
CuPy's GEMM, so `benchmark`, `deterministic` and `enabled` are read back as set and change nothing."""
import contextlib
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: ember never calls cuDNN."""
    return False


def version():
    """None, as torch reports where no cuDNN is loaded."""
    return None


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True, fp32_precision="none", depthwise_kernel="auto"):
    """The flags set inside a with block and restored after, as torch.backends.cudnn.flags."""
    module = globals()
    saved = {name: module[name] for name in ("enabled", "benchmark", "deterministic",
                                             "allow_tf32")}
    module.update(enabled=enabled, benchmark=benchmark, deterministic=deterministic,
                  allow_tf32=allow_tf32)
    try:
        yield
    finally:
        module.update(saved)
