"""torch.nn.attention: the SDPBackend names and the sdpa_kernel context manager.

ember's scaled_dot_product_attention has one implementation (the math one, written with ember's
ops, on the CPU and on CUDA alike), so there is no kernel to choose: sdpa_kernel checks its
arguments as torch does and otherwise changes nothing. Code written to select a fused kernel runs
unchanged and gets the math result.
"""
import contextlib
import enum

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """torch's backend names and values for scaled dot-product attention."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __repr__(self):
        return f"<SDPBackend.{self.name}: {self.value}>"

    def __str__(self):
        return f"SDPBackend.{self.name}"


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Accept torch's backend selection; ember has only the math path, so nothing changes."""
    listed = backends if isinstance(backends, list) else [backends]
    if not all(isinstance(b, SDPBackend) for b in listed):
        # torch checks with an assert
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    yield {}
