"""torch.hub.tqdm: the tqdm package's progress bar when it is installed (torchvision-era code
imports it from torch.hub or torch.utils.model_zoo), else a bare one that writes the count or
percentage to stderr."""
import sys

__all__ = ["tqdm"]


class _BareProgressBar:
    def __init__(self, total=None, disable=False, unit=None, *args, **kwargs):
        self.total = total
        self.disable = disable
        self.n = 0

    def update(self, n):
        if self.disable:
            return
        self.n += n
        shown = f"{self.n:.1f} bytes" if self.total is None else f"{100 * self.n / self.total:.1f}%"
        sys.stderr.write("\r" + shown)
        sys.stderr.flush()

    def set_description(self, *args, **kwargs):
        """Accepted for tqdm's interface; the bare bar has no description."""

    def write(self, s):
        sys.stderr.write(f"{s}\n")

    def close(self):
        self.disable = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if not self.disable:
            sys.stderr.write("\n")


try:
    from tqdm import tqdm
except ImportError:
    tqdm = _BareProgressBar
