"""python -m ember.run and ember.install_as_torch (NOTE [ torch as an alias of ember ])."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(tmp_path, source, *args, runner=("-m", "ember.run")):
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, *runner, str(script), *args], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)


def test_torch_imports_resolve_to_ember_modules(tmp_path):
    r = _run(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
        from torch.nn.modules.activation import MultiheadAttention
        import torchvision.transforms as T
        import ember
        assert torch is ember and nn is ember.nn and F is ember.nn.functional
        assert DataLoader is ember.utils.data.DataLoader and T is ember.vision.transforms
        assert MultiheadAttention is ember.nn.MultiheadAttention
        assert sys.modules["torch.nn.functional"] is ember.nn.functional
        real = [n for n, m in sys.modules.items() if n.split(".")[0] in ("torch", "torchvision")
                and not m.__name__.startswith("ember")]
        assert not real, real
        print("ok", torch.ones(2).sum().item())
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok 2.0\n"


def test_argv_main_and_sys_path_as_python_gives_them(tmp_path):
    (tmp_path / "helper_mod.py").write_text("VALUE = 41\n")
    r = _run(tmp_path, """
        import sys
        import helper_mod
        print(__name__, sys.argv, helper_mod.VALUE + 1)
    """, "--lr", "0.1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"__main__ ['{tmp_path / 'prog.py'}', '--lr', '0.1'] 42\n"


@pytest.mark.parametrize("body, code, err", [
    ("import sys; sys.exit(3)", 3, ""),
    ("raise ValueError('boom')", 1, "ValueError: boom"),
    ("import torch.fx", 1, "No module named 'torch.fx': ember has no module 'ember.fx'"),
])
def test_exit_codes_and_errors_reach_the_shell(tmp_path, body, code, err):
    r = _run(tmp_path, body)
    assert r.returncode == code
    assert err in r.stderr
    if err:
        assert "Traceback" in r.stderr


def test_missing_script_and_usage(tmp_path):
    r = _run(tmp_path, "", runner=("-m", "ember.run", "nope.py"))
    assert r.returncode == 2 and "can't open file" in r.stderr
    r = subprocess.run([sys.executable, "-m", "ember.run"], capture_output=True, text=True,
                       cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "usage: ember-run" in r.stderr


def test_run_module_form(tmp_path):
    (tmp_path / "pkgmod.py").write_text("import sys, torch\nprint(__name__, sys.argv[1:], "
                                        "torch.__name__)\n")
    r = subprocess.run([sys.executable, "-m", "ember.run", "-m", "pkgmod", "a"],
                       capture_output=True, text=True, cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=ROOT), timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "__main__ ['a'] ember\n"


def test_install_as_torch_in_process_and_refusal_after_real_torch(tmp_path):
    r = _run(tmp_path, """
        import ember
        ember.install_as_torch()
        import torch.optim.lr_scheduler as s
        assert s is ember.optim.lr_scheduler
        from ember import _dropin
        _dropin.uninstall_as_torch()
        import sys
        assert "torch" not in sys.modules
        print("ok")
    """, runner=())
    assert r.returncode == 0, r.stderr
    pytest.importorskip("torch")
    r = _run(tmp_path, """
        import torch
        import ember
        ember.install_as_torch()
    """, runner=())
    assert r.returncode == 1
    assert "RuntimeError: ember.install_as_torch(): a real PyTorch is already imported" in r.stderr


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_spawned_children_also_see_ember_as_torch(tmp_path, method):
    r = _run(tmp_path, """
        import multiprocessing as mp
        import sys
        import torch


        class Box:
            def __init__(self, v):
                self.v = v


        def work(q, box):
            import torch.nn.functional as F
            real = [n for n, m in sys.modules.items() if n.split(".")[0] == "torch"
                    and not m.__name__.startswith("ember")]
            q.put((torch.__name__, F.__name__, box.v, __name__, real))


        if __name__ == "__main__":
            ctx = mp.get_context(sys.argv[1])
            q = ctx.Queue()
            p = ctx.Process(target=work, args=(q, Box(5)))
            p.start()
            print(q.get())
            p.join()
            print("exit", p.exitcode)
    """, method)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "('ember', 'ember.nn.functional', 5, '__mp_main__', [])\nexit 0\n"
