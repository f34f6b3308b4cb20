"""NOTE [ Host allocations ] (ember/_host_memory.py): after `import ember`, large arrays freed and
allocated again reuse their pages (no page faults per step); a user's own malloc settings win."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

_FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "ember":
    import ember

def step():  # a step's arrays of several sizes, alive together, then all freed
    keep = [np.ones(n, np.float32) for n in (2_000_000, 1_000_000, 500_000, 1_500_000, 3_000_000)]
    return len(keep)

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _run(code, *args, env=None):
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    env.update(extra)
    return env


def test_freed_large_arrays_are_reused_without_page_faults():
    plain = int(_run(_FAULTS, "numpy", env=_clean_env()))
    tuned = int(_run(_FAULTS, "ember", env=_clean_env()))
    pages = 20 * 8_000_000 * 4 // 4096  # 20 steps of 32 MB
    assert plain > pages // 10  # glibc's default gives much of it back and faults it in again
    assert tuned < pages // 100


@pytest.mark.parametrize("var,value", [("MALLOC_TRIM_THRESHOLD_", "1000000"),
                                       ("MALLOC_MMAP_THRESHOLD_", "1000000"),
                                       ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1000000")])
def test_user_settings_are_kept(var, value):
    code = "import ember._host_memory as h; print(h.TUNED)"
    assert _run(code, env=_clean_env()) == "True"
    assert _run(code, env=_clean_env(**{var: value})) == "False"
