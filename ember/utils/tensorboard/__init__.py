"""ember.utils.tensorboard: SummaryWriter, writing TensorBoard event files through the optional
`tensorboard` package (pip install tensorboard), as torch.utils.tensorboard does."""
try:
    import tensorboard  # noqa: F401
except ImportError as exc:
    raise ImportError("ember.utils.tensorboard needs the optional 'tensorboard' package, which "
                      "writes the event files: pip install tensorboard") from exc

from .writer import FileWriter, SummaryWriter

__all__ = ["SummaryWriter", "FileWriter"]
