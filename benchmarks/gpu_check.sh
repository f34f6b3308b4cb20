#!/usr/bin/env bash
# The GPU check of issue 6, in one run of under 8 minutes on a machine with an NVIDIA GPU, CuPy and
# PyTorch: (1) the CUDA tests against the real device, (2) the training-step benchmark, ember on
# CUDA against torch on CUDA, which writes the "GPU" section of benchmarks/RESULTS.md, (3) every
# other test whose id names cuda (the op table and nn suites parametrised over devices).
# Usage: benchmarks/gpu_check.sh   (PYTHON=... to pick the interpreter; logs and RESULTS.md are
# also copied to $OUT when it is set). Exits non-zero when there is no GPU or anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
LOGS=${OUT:-/tmp}/gpu_check
mkdir -p "$LOGS"
started=$SECONDS
status=0

"$PY" - <<'EOF' || exit 2
import sys
try:
    import cupy
    n = cupy.cuda.runtime.getDeviceCount()
except Exception as exc:
    sys.exit(f"gpu_check: no GPU through CuPy ({type(exc).__name__}: {exc}); this check needs an "
             "NVIDIA GPU and CuPy (pip install 'ember[cuda]')")
try:
    import torch
except ImportError:
    sys.exit("gpu_check: PyTorch is not installed; the benchmark compares ember with it")
if n < 1 or not torch.cuda.is_available():
    sys.exit(f"gpu_check: no GPU (CuPy sees {n}, torch.cuda.is_available()="
             f"{torch.cuda.is_available()})")
import ember
assert ember.cuda.is_available(), "ember does not see the GPU that CuPy sees"
print(f"gpu_check: {ember.cuda.get_device_name()} x{n}, CuPy {cupy.__version__}, "
      f"torch {torch.__version__}")
EOF

have_pytest=1
"$PY" -c "import pytest" 2>/dev/null || { have_pytest=0; status=1;
    echo "gpu_check: pytest is not installed for $PY: the tests are skipped (the benchmark runs)"; }

run() {  # run <seconds> <log> <command...>: stop at the limit with a summary (SIGINT), log it
    local limit=$1 log=$2
    shift 2
    echo "== $* (at most ${limit}s)"
    timeout --signal=INT --kill-after=20 "$limit" "$@" 2>&1 | tee "$LOGS/$log"
    local rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || { echo "gpu_check: '$*' exited with $rc"; status=1; }
}

if [ "$have_pytest" -eq 1 ]; then
    run 120 tests_cuda.log "$PY" -m pytest tests/cuda -p no:cacheprovider -rfE
fi
run 210 bench_gpu.log "$PY" benchmarks/bench_gpu.py --write
if [ "$have_pytest" -eq 1 ]; then
    left=$(( 450 - (SECONDS - started) ))
    [ "$left" -gt 30 ] || left=30
    run "$left" tests_device.log "$PY" -m pytest tests -p no:cacheprovider -rfE -k cuda \
        --ignore=tests/cuda
fi

[ -n "${OUT:-}" ] && cp benchmarks/RESULTS.md "$OUT/" 2>/dev/null
echo "gpu_check: done in $(( SECONDS - started ))s, status $status (logs in $LOGS)"
exit $status
