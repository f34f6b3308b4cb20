"""Run a PyTorch program unchanged on ember: `python -m ember.run script.py [args]`,
`python -m ember.run -m package.module [args]`, or the console script `ember-run`.

`import torch`, `import torch.nn.functional as F`, `from torch.utils.data import ...` and
`import torchvision...` give ember's modules (NOTE [ torch as an alias of ember ] in _dropin.py).
The script sees the `sys.argv`, `sys.path[0]` and `__name__ == "__main__"` that `python script.py`
gives it; its exceptions and exit codes reach the shell as they would there."""
import os
import runpy
import sys

from ._dropin import install_as_torch

_USAGE = ("usage: ember-run script.py [args ...]\n"
          "       ember-run -m module [args ...]\n"
          "Runs a PyTorch program with `torch` (and `torchvision`) resolved to ember.")


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    install_as_torch()
    if argv[0] == "-m":
        if len(argv) < 2:
            print(_USAGE, file=sys.stderr)
            return 2
        sys.argv = [argv[1], *argv[2:]]
        sys.path[0] = os.getcwd()
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember-run: can't open file '{os.path.abspath(script)}': No such file or "
              f"directory", file=sys.stderr)
        return 2
    sys.argv = [script, *argv[1:]]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
