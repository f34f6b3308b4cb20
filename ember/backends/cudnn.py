"""torch.backends.cudnn: settable flags. ember calls no cuDNN: CUDA convolutions run through
CuPy's GEMM, so `benchmark`, `deterministic` and `enabled` are read back as set and change nothing."""
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
