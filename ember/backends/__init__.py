"""ember.backends: the switches PyTorch programs set before training (torch.backends). ember's
kernels are NumPy (CPU) and CuPy (CUDA): it has no cuDNN, MPS or TF32 path of its own, so these
flags are stored for the program to read back and change nothing in how ember computes."""
from . import cpu, cuda, cudnn, mps

__all__ = ["cpu", "cuda", "cudnn", "mps"]
