"""The main job (ember-train) end to end on tiny runs, and its answers to bad input."""
import contextlib
import io
import json
import os
import subprocess
import sys

import pytest

import ember
from ember.vision import datasets
from tests.vision._archives import make_cifar, patch_cifar, serve

pytest.importorskip("tqdm")
pytest.importorskip("matplotlib")
pytest.importorskip("PIL")

from ember.train import main  # noqa: E402


def one_error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("ember-train: error: ") and "Traceback" not in err[0]
    return err[0]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """One epoch of the default job (the shipped digits, two worker processes)."""
    out = tmp_path_factory.mktemp("run") / "digits"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        rc = main(["--epochs", "1", "--out", str(out)])
    return rc, out, stdout.getvalue(), stderr.getvalue()


def test_default_job_trains_tests_and_saves(digits_run, torch):
    rc, out, stdout, stderr = digits_run
    assert rc == 0
    assert "epoch 1: train loss" in stdout
    assert "accuracy of the network on the 359 test images" in stdout
    assert sum(line.startswith("Accuracy for class: ") for line in stdout.splitlines()) == 10
    assert "img/s" in stderr and "loss=" in stderr  # the progress bar
    assert sorted(os.listdir(out)) == ["curves.png", "metrics.json", "model.pt",
                                       "predictions.png"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "digits" and metrics["test_accuracy"][0] > 0.5
    state = ember.load(out / "model.pt")
    assert list(state) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                           "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight",
                           "fc3.bias"]
    assert torch.load(out / "model.pt")["fc1.weight"].shape == (120, 400)
    from PIL import Image
    assert Image.open(out / "curves.png").size[0] > 500
    assert Image.open(out / "predictions.png").size[0] > 500


def test_cifar10_download_and_resume(digits_run, monkeypatch, tmp_path, capsys):
    www = tmp_path / "www"
    www.mkdir()
    patches, _, _ = make_cifar(www, datasets.CIFAR10, per_file=4)
    out = tmp_path / "cifar"
    with serve(www) as url:
        patch_cifar(monkeypatch, datasets.CIFAR10, patches, url)
        rc = main(["--dataset", "cifar10", "--root", str(tmp_path / "data"), "--download",
                   "--epochs", "1", "--workers", "0", "--out", str(out),
                   "--resume", str(digits_run[1])])
    stdout = capsys.readouterr().out
    assert rc == 0
    assert "Resuming from" in stdout and "on the 4 test images" in stdout
    assert (out / "model.pt").exists()


def test_unknown_dataset(capsys):
    assert main(["--dataset", "imagenet"]) == 2
    assert "invalid choice: 'imagenet'" in one_error_line(capsys)


def test_missing_root_without_download(tmp_path, capsys):
    assert main(["--dataset", "cifar10", "--root", str(tmp_path), "--out",
                 str(tmp_path / "out")]) == 2
    assert "pass --download" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--epochs", "1", "--out", str(blocker / "sub")]) == 2
    assert "cannot write to the output folder" in one_error_line(capsys)
    assert blocker.read_text() == "not a folder"


def test_resume_from_another_architecture(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.pt").write_bytes(b"previous run")
    other = tmp_path / "other.pt"
    ember.save({"conv1.weight": ember.zeros(6, 1, 5, 5), "conv1.bias": ember.zeros(6)}, other)
    assert main(["--resume", str(other), "--out", str(out)]) == 2
    line = one_error_line(capsys)
    assert "checkpoint of another architecture" in line and "missing conv2.weight" in line
    assert (out / "model.pt").read_bytes() == b"previous run"  # nothing overwritten
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"\x00" * 10)
    assert main(["--resume", str(garbage), "--out", str(out)]) == 2
    assert "cannot read" in one_error_line(capsys)


def test_missing_optional_packages(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    assert main(["--epochs", "1"]) == 2
    assert "needs tqdm: pip install 'ember[train]'" in one_error_line(capsys)


def test_module_entry_point_bad_flag(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(ember.__file__)), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "ember.train", "--epochs", "0"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "ember-train: error: --epochs must be at least 1"
    assert not (tmp_path / "runs").exists()


def test_bad_device(capsys):
    assert main(["--device", "tpu"]) == 2
    assert "--device tpu: Expected one of cpu, cuda device type" in one_error_line(capsys)
