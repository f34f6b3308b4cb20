# Two entry points, each creating or reusing the local virtual environment .venv:
#   make train   runs the main job        make test   runs the test suite
#   make fuzz    compares 5000 random op calls with torch (differential fuzzing)
#   make fuzz-nn compares 5000 random module, loss, optimizer and scheduler runs with torch
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: train test venv bench fuzz fuzz-nn clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,train,distributed]'
	touch $@

# The parity tests compare with PyTorch: the test venv gets torch's CPU build (this machine's pip
# finds it on disk). Where it cannot be installed, the parity tests skip and the run says so.
$(VENV)/.torch: | $(VENV)/.installed
	$(BIN)/python -m pip install -q 'torch==2.13.0' || \
		echo "make test: torch 2.13.0 could not be installed; the torch-parity tests will skip"
	touch $@

venv: $(VENV)/.installed

train: venv
	$(BIN)/python -m ember.train

# pyproject's addopts already give -q: a second -q would hide the pass/skip summary line
test: venv $(VENV)/.torch
	$(BIN)/python -m pytest -x -p no:cacheprovider

fuzz: venv
	$(BIN)/python -m tests.fuzz.differential --cases 5000 --seed 0 --show 40

fuzz-nn: venv
	$(BIN)/python -m tests.fuzz.nn_differential --cases 5000 --seed 0 --show 40

# Every benchmark against torch, each timed framework in its own process; rewrites RESULTS.md's sections
bench: venv $(VENV)/.torch
	$(BIN)/python benchmarks/bench_models.py --write
	$(BIN)/python benchmarks/profile_step.py --all --write
	for b in conv dataloader serialization resnet distributed rnn programs ops; do \
		$(BIN)/python benchmarks/bench_$$b.py --write || exit 1; done
	$(BIN)/python benchmarks/bench_resnet.py --model resnet20 --batch 128 --size 32 --write

clean:
	rm -rf $(VENV) *.egg-info
