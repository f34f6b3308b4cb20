"""ember-train keeps its data: a checkpoint after every epoch that --resume continues exactly,
outputs swapped in whole, one line and a non-zero exit when a write fails; bad option values
and --mirror."""
import errno
import json
import os
import time

import numpy as np
import pytest

import ember
from ember.cli import checkpoint, report
from ember.utils import _tempfiles
from ember.vision import datasets
from tests.vision._archives import make_mnist, patch_mnist, serve

pytest.importorskip("tqdm")
pytest.importorskip("matplotlib")
pytest.importorskip("PIL")

import ember.train as train  # noqa: E402

FAST = ["--workers", "0", "--batch-size", "128"]


def one_error_line(capsys, prefix="ember-train: error: "):
    err = [line for line in capsys.readouterr().err.strip().splitlines()
           if line.strip() and "img/s" not in line]  # not the progress bar's lines
    assert len(err) == 1, err
    assert err[0].startswith(prefix) and "Traceback" not in err[0]
    return err[0]


def weights(path):
    return {k: v.numpy() for k, v in ember.load(path).items()}


def assert_same_weights(a, b):
    wa, wb = weights(a), weights(b)
    assert list(wa) == list(wb)
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)


def hidden(folder):
    return sorted(n for n in os.listdir(folder) if n.startswith("."))


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "run"
    assert train.main(["--epochs", "2", *FAST, "--out", str(out)]) == 0
    return out


def _interrupt_on_call(monkeypatch, n, exc):
    real, calls = train.train_epoch, []

    def train_epoch(*args):
        calls.append(1)
        if len(calls) == n:
            raise exc
        return real(*args)
    monkeypatch.setattr(train, "train_epoch", train_epoch)


@pytest.mark.parametrize("workers", ["0", "2"])  # the reference run has none
def test_interrupted_run_resumes_to_the_same_weights(workers, uninterrupted, monkeypatch,
                                                     tmp_path, capsys):
    out = tmp_path / "run"
    saved = str(out) + ".checkpoint.pt"
    options = ["--epochs", "2", "--workers", workers, "--batch-size", "128", "--out", str(out)]
    with monkeypatch.context() as m:
        _interrupt_on_call(m, 2, KeyboardInterrupt())  # Ctrl-C during epoch 2
        assert train.main(options) == 130
    line = one_error_line(capsys, "ember-train: interrupted")
    assert line == (f"ember-train: interrupted; the checkpoint of epoch 1 is kept in {saved} "
                    "(--resume continues it)")
    assert not out.exists() and os.path.exists(saved)  # no outputs yet: nothing half-written
    state = ember.load(saved)
    assert state["epoch"] == 1 and len(state["metrics"]["accuracies"]) == 1
    assert train.main(options + ["--resume"]) == 0
    stdout = capsys.readouterr().out
    assert f"Resuming from {saved} after epoch 1" in stdout
    assert "epoch 1:" not in stdout and "epoch 2:" in stdout
    assert_same_weights(out / "model.pt", uninterrupted / "model.pt")
    metrics, whole = (json.loads((d / "metrics.json").read_text())
                      for d in (out, uninterrupted))
    assert metrics["train_loss"] == whole["train_loss"]
    assert metrics["test_accuracy"] == whole["test_accuracy"]
    assert not os.path.exists(saved)  # the run is complete
    assert hidden(tmp_path) == []


def test_resume_needs_the_same_options(monkeypatch, tmp_path, capsys):
    out = tmp_path / "run"
    with monkeypatch.context() as m:
        _interrupt_on_call(m, 2, KeyboardInterrupt())
        assert train.main(["--epochs", "2", *FAST, "--out", str(out)]) == 130
    capsys.readouterr()
    assert train.main(["--epochs", "3", "--lr", "0.02", *FAST, "--out", str(out),
                       "--resume", str(out)]) == 2
    line = one_error_line(capsys)
    assert "is a run with --epochs 2 (this run: 3); --lr 0.01 (this run: 0.02): pass the " \
           "same options to continue it" in line
    assert train.main(["--epochs", "1", *FAST, "--out", str(tmp_path / "other"),
                       "--resume"]) == 2
    assert "--resume: no unfinished run of" in one_error_line(capsys)


def test_failed_final_write_keeps_the_checkpoint(monkeypatch, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.pt").write_bytes(b"the previous run's model")
    saved = str(out) + ".checkpoint.pt"

    def full_disk(folder, *args):
        with open(os.path.join(folder, "model.pt"), "wb") as f:
            f.write(b"half")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    with monkeypatch.context() as m:
        m.setattr(report, "save_run", full_disk)
        assert train.main(["--epochs", "1", *FAST, "--out", str(out)]) == 1
    line = one_error_line(capsys)
    assert line == (f"ember-train: error: cannot write the run's outputs to {out}: No space "
                    f"left on device; the checkpoint of epoch 1 is kept in {saved} (--resume "
                    "continues it)")
    assert os.listdir(out) == ["model.pt"]
    assert (out / "model.pt").read_bytes() == b"the previous run's model"
    assert hidden(tmp_path) == []  # the half-written new folder is gone
    trained = {k: v.numpy() for k, v in ember.load(saved)["model"].items()}
    # with room again, --resume only writes the outputs
    assert train.main(["--epochs", "1", *FAST, "--out", str(out), "--resume"]) == 0
    stdout = capsys.readouterr().out
    assert "epoch 1:" not in stdout and "Final test accuracy" in stdout
    assert sorted(os.listdir(out)) == ["curves.png", "metrics.json", "model.pt",
                                       "predictions.png"]
    for k, v in weights(out / "model.pt").items():
        np.testing.assert_array_equal(v, trained[k])
    assert not os.path.exists(saved)


def test_read_only_output_folder_at_the_end(monkeypatch, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "metrics.json").write_text("{}")
    real = report.save_run

    def made_read_only_meanwhile(*args):
        os.chmod(out, 0o555)
        return real(*args)
    monkeypatch.setattr(report, "save_run", made_read_only_meanwhile)
    try:
        assert train.main(["--epochs", "1", *FAST, "--out", str(out)]) == 1
    finally:
        os.chmod(out, 0o755)
    assert f"cannot write the run's outputs to {out}: it is read-only; the checkpoint of " \
           "epoch 1 is kept" in one_error_line(capsys)
    assert os.listdir(out) == ["metrics.json"] and (out / "metrics.json").read_text() == "{}"
    assert hidden(tmp_path) == []


def test_interrupt_while_writing_outputs_leaves_the_previous_run(monkeypatch, tmp_path,
                                                                 capsys):
    out = tmp_path / "run"
    (tmp_path / "run.checkpoint.pt").write_bytes(b"an unfinished run")
    assert train.main(["--epochs", "1", *FAST, "--out", str(out)]) == 0
    assert f"Note: the unfinished run's checkpoint {out}.checkpoint.pt is replaced" in \
        capsys.readouterr().out
    before = {n: (out / n).read_bytes() for n in os.listdir(out)}
    # a stale new-outputs folder of a killed run (dead writer) is removed by the next swap
    stale = tmp_path / f".run.ember-{_tempfiles._HOST}-999999999-abcdefgh.new"
    stale.mkdir()
    (stale / "model.pt").write_bytes(b"killed")
    real = report.save_run

    def interrupted(folder, *args):
        real(folder, *args)
        raise KeyboardInterrupt  # after every new file is written, before the swap
    monkeypatch.setattr(report, "save_run", interrupted)
    assert train.main(["--epochs", "1", "--seed", "1", *FAST, "--out", str(out)]) == 130
    assert {n: (out / n).read_bytes() for n in os.listdir(out)} == before
    assert hidden(tmp_path) == []
    assert os.path.exists(str(out) + ".checkpoint.pt")


def test_swap_is_undone_when_interrupted_between_the_renames(monkeypatch, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "model.pt").write_bytes(b"old")
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # the new folder onto `out`
            raise KeyboardInterrupt
        return real(src, dst)
    monkeypatch.setattr(os, "replace", replace)

    def write(folder):
        with open(os.path.join(folder, "model.pt"), "wb") as f:
            f.write(b"new")
    with pytest.raises(KeyboardInterrupt):
        report.replace_outputs(out, write, ("model.pt",))
    assert (out / "model.pt").read_bytes() == b"old" and hidden(tmp_path) == []
    monkeypatch.setattr(os, "replace", real)
    report.replace_outputs(out, write, ("model.pt",))
    assert (out / "model.pt").read_bytes() == b"new" and hidden(tmp_path) == []


def test_output_folder_with_other_files_is_refused(tmp_path, capsys):
    out = tmp_path / "results"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    assert train.main(["--epochs", "1", *FAST, "--out", str(out)]) == 2
    assert (f"the output folder {out} holds files that are not a run's outputs (thesis.tex)"
            in one_error_line(capsys))
    assert os.listdir(out) == ["thesis.tex"] and os.listdir(tmp_path) == ["results"]


def test_failed_checkpoint_write_stops_the_run(monkeypatch, tmp_path, capsys):
    out = tmp_path / "run"
    real, calls = checkpoint.save, []

    def save(*args):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args)
    monkeypatch.setattr(checkpoint, "save", save)
    assert train.main(["--epochs", "2", *FAST, "--out", str(out)]) == 1
    assert one_error_line(capsys) == (
        f"ember-train: error: cannot write the checkpoint {out}.checkpoint.pt: No space left "
        f"on device; the checkpoint of epoch 1 is kept in {out}.checkpoint.pt (--resume "
        "continues it)")
    assert ember.load(str(out) + ".checkpoint.pt")["epoch"] == 1
    assert not out.exists()


def test_help_explains_the_checkpoint(capsys):
    with pytest.raises(SystemExit):
        train.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "<out>.checkpoint.pt beside the output folder" in text
    assert "swapped in whole" in text and "--mirror URL" in text


# -- option values -------------------------------------------------------------------------------
@pytest.mark.parametrize("flag, value, message", [
    ("--lr", "-1", "argument --lr: must be a finite number, 0 or more, not -1"),
    ("--lr", "nan", "argument --lr: must be a finite number, 0 or more, not nan"),
    ("--lr", "inf", "argument --lr: must be a finite number, 0 or more, not inf"),
    ("--lr", "fast", "argument --lr: expected a number, not 'fast'"),
    ("--momentum", "-1", "argument --momentum: must be a finite number, 0 or more, not -1"),
    ("--momentum", "nan", "argument --momentum: must be a finite number, 0 or more, not nan"),
    ("--seed", "-1", "argument --seed: must be from 0 to 4294967295, not -1"),
    ("--seed", "4294967296", "argument --seed: must be from 0 to 4294967295, not 4294967296"),
    ("--seed", "1.5", "argument --seed: expected an integer, not '1.5'"),
    ("--mirror", "example.com/data", "argument --mirror: 'example.com/data' is not a mirror"),
    ("--batch-size", str(2 ** 64), "--batch-size must be at most 2147483647"),
    ("--epochs", str(2 ** 31), "--epochs must be at most 2147483647"),
    ("--workers", str(2 ** 64), "--workers must be at most 256"),
    ("--workers", "-1", "--workers must be 0 or more"),
])
def test_bad_option_values(flag, value, message, tmp_path, capsys):
    assert train.main([flag, value, "--out", str(tmp_path / "out")]) == 2
    assert message in one_error_line(capsys)
    assert os.listdir(tmp_path) == []


def test_extreme_good_values_are_accepted():
    args = train.parse_args(["--seed", "4294967295", "--lr", "0", "--momentum", "0",
                             "--workers", "256", "--mirror", "file:///srv/mirror"])
    assert (args.seed, args.lr, args.momentum, args.workers) == (4294967295, 0.0, 0.0, 256)
    assert args.mirror == "file:///srv/mirror/"


# -- --mirror ------------------------------------------------------------------------------------
def test_mirror_option(monkeypatch, tmp_path, capsys):
    www = tmp_path / "www"
    (www / "MNIST").mkdir(parents=True)
    resources, _ = make_mnist(www / "MNIST", datasets.MNIST)
    monkeypatch.delenv("EMBER_DATASETS_MIRROR", raising=False)
    with serve(www) as url:
        patch_mnist(monkeypatch, datasets.MNIST, resources, url + "gone/")
        start = time.monotonic()
        assert train.main(["--dataset", "mnist", "--root", str(tmp_path / "data"),
                           "--download", "--mirror", url, "--epochs", "1", *FAST,
                           "--out", str(tmp_path / "out")]) == 0
        assert time.monotonic() - start < 30
    out = capsys.readouterr().out
    assert f"Downloading {url}MNIST/train-images-idx3-ubyte.gz" in out
    assert "Failed to download" not in out
    assert "EMBER_DATASETS_MIRROR" not in os.environ  # set for the run only
