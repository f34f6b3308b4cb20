# What ember cannot do says so clearly (run under ember only: torch does these).
import torch
import torch.nn as nn

try:
    torch.onnx.export(nn.Linear(2, 2), (torch.ones(1, 2),), "model.onnx")
except NotImplementedError as e:
    print("onnx:", type(e).__name__, "torch.onnx.export is not available" in str(e))
try:
    torch.ones(2, dtype=torch.bfloat16)
except TypeError as e:
    print("bfloat16:", type(e).__name__, "ml_dtypes" in str(e))
try:
    import torch.fx  # noqa: F401
except ModuleNotFoundError as e:
    print("missing module:", e.name, "ember.fx" in str(e))
