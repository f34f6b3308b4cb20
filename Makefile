# Two entry points, each creating or reusing the local virtual environment .venv:
#   make train   runs the main job        make test   runs the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: train test venv bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,train]'
	touch $@

venv: $(VENV)/.installed

train: venv
	$(BIN)/python -m ember.train

test: venv
	$(BIN)/python -m pytest -q -x -p no:cacheprovider

bench: venv
	for b in overhead train_step conv dataloader serialization; do \
		$(BIN)/python benchmarks/bench_$$b.py --write || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info
