"""torch.onnx: ember records no graph that an ONNX exporter could walk (no tracer, no
TorchScript, no torch.export), so export is refused with a NotImplementedError."""

__all__ = ["export", "is_in_onnx_export"]


def export(model, args=(), f=None, *a, **kw):
    raise NotImplementedError(
        "torch.onnx.export is not available in ember: ONNX export needs a traced graph of the "
        "model (torch.jit.trace / torch.export), and ember runs eagerly without one. Save the "
        "weights with ember.save(model.state_dict(), path), load them into the same model under "
        "PyTorch and export from there.")


def is_in_onnx_export():
    return False
