"""Run a PyTorch program unchanged on ember: `python -m ember.run script.py [args]`,
`python -m ember.run -m package.module [args]`, or the console script `ember-run`.

`import torch`, `import torch.nn.functional as F`, `from torch.utils.data import ...` and
`import torchvision...` give ember's modules (NOTE [ torch as an alias of ember ] in _dropin.py).
The script sees the `sys.argv`, `sys.path[0]` and `__name__ == "__main__"` that `python script.py`
gives it; its exceptions and exit codes reach the shell as they would there.

NOTE [ Spawned children of ember.run ]
multiprocessing's spawn and forkserver children re-run the parent's main module before they
unpickle their target, and that module's `import torch` would find no alias there (a real torch,
or nothing). So `main` exports the program's path (or module name) in EMBER_RUN_MAIN and has
spawn name `ember._spawn_main` as the child's main module instead: it installs the alias and runs
the program as `__mp_main__`, which is what multiprocessing itself would have done.
"""
import multiprocessing.spawn
import os
import runpy
import sys

from ._dropin import install_as_torch

_USAGE = ("usage: ember-run script.py [args ...]\n"
          "       ember-run -m module [args ...]\n"
          "Runs a PyTorch program with `torch` (and `torchvision`) resolved to ember.")


def _alias_in_spawned_children(main):
    os.environ["EMBER_RUN_MAIN"] = main
    original = multiprocessing.spawn.get_preparation_data

    def get_preparation_data(name):
        data = original(name)
        if data.pop("init_main_from_path", None) is not None or "init_main_from_name" in data:
            data["init_main_from_name"] = "ember._spawn_main"
        return data

    multiprocessing.spawn.get_preparation_data = get_preparation_data


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
        _alias_in_spawned_children(f"module:{argv[1]}")
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember-run: can't open file '{os.path.abspath(script)}': No such file or "
              f"directory", file=sys.stderr)
        return 2
    sys.argv = [script, *argv[1:]]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    _alias_in_spawned_children(f"path:{os.path.abspath(script)}")
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
