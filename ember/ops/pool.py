"""pool ops: forward on arrays, backward in ember ops."""

__all__ = []
