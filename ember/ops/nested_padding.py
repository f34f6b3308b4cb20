"""Tensor.to_padded_tensor: defined for nested tensors only (ember.nested); a dense tensor
refuses it with torch's dispatcher error."""

__all__ = ["to_padded_tensor"]


def to_padded_tensor(input, padding, output_size=None):
    """A dense tensor of a nested tensor's components padded with `padding` (ember.nested)."""
    if getattr(input, "is_nested", False):
        return input.to_padded_tensor(padding, output_size)
    raise NotImplementedError(
        f"Could not run 'aten::to_padded_tensor' with arguments from the "
        f"'{input.device.type.upper()}' backend. 'aten::to_padded_tensor' is only available "
        "for nested tensors (torch.nested.nested_tensor).")
