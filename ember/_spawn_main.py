"""The `__main__` of a process that multiprocessing spawns from a program run by `ember.run`
(NOTE [ Spawned children of ember.run ] in run.py): alias torch to ember first, then run the
program as `__mp_main__`, as multiprocessing does for a plain `python script.py`."""
import os
import runpy

from ._dropin import install_as_torch

install_as_torch()
_kind, _, _target = os.environ["EMBER_RUN_MAIN"].partition(":")
if _kind == "path":
    globals().update(runpy.run_path(_target, run_name="__mp_main__"))
else:
    globals().update(runpy.run_module(_target, run_name="__mp_main__", alter_sys=True))
