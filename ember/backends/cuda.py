"""torch.backends.cuda: the TF32 and SDPA switches. ember stores them and computes in the
dtype asked (CuPy's float32 GEMM), so they change nothing in its numbers."""
from .. import _backend


class _Matmul:
    def __init__(self):
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()


def is_built():
    """True when CuPy (ember's CUDA backend) imports and sees a GPU."""
    return _backend.cuda_is_available()


def flash_sdp_enabled():
    return False


def mem_efficient_sdp_enabled():
    return False


def math_sdp_enabled():
    return True


def enable_flash_sdp(enabled):
    """Accepted and ignored: ember's scaled_dot_product_attention has one (math) kernel."""


def enable_mem_efficient_sdp(enabled):
    """Accepted and ignored: ember's scaled_dot_product_attention has one (math) kernel."""


def enable_math_sdp(enabled):
    """Accepted and ignored: ember's scaled_dot_product_attention has one (math) kernel."""
