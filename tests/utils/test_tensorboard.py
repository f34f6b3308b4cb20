"""SummaryWriter: real event files, read back with tensorboard and compared with torch's."""
import importlib
import sys

import numpy as np
import pytest

import ember

pytest.importorskip("tensorboard")


def _read(log_dir):
    """{run: [(step, tag, what)]} of every event file under log_dir."""
    from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
    from tensorboard.compat.proto.event_pb2 import Event
    runs = {}
    for path in sorted(log_dir.rglob("events.out.tfevents.*")):
        run = str(path.parent.relative_to(log_dir))
        for record in RawEventFileLoader(str(path)).Load():
            event = Event.FromString(record)
            for v in event.summary.value:
                kind = v.WhichOneof("value")
                if kind == "simple_value":
                    what = round(v.simple_value, 6)
                elif kind == "histo":
                    what = (v.histo.num, round(v.histo.sum, 4), v.histo.min, v.histo.max,
                            tuple(v.histo.bucket), tuple(round(b, 9) for b in v.histo.bucket_limit))
                else:
                    what = (tuple(v.tensor.string_val), v.metadata.plugin_data.plugin_name)
                runs.setdefault(run, []).append((event.step, v.tag, what))
    return runs


def _log(m, log_dir):
    from importlib import import_module
    writer = import_module(m.__name__ + ".utils.tensorboard").SummaryWriter(str(log_dir))
    values = m.tensor(np.linspace(-2, 3, 50, dtype=np.float32))
    for step in range(3):
        writer.add_scalar("loss", m.tensor(1.0 / (step + 1)), step)
        writer.add_scalars("run", {"train": step * 0.5, "val": step * 0.25}, step)
    writer.add_histogram("weights", values, 2)
    writer.add_histogram("weights_few_bins", values, 2, max_bins=7, bins="tensorflow")
    writer.add_text("note", "hello ember", 1)
    writer.flush()
    writer.close()


def test_event_files_match_torch(torch, tmp_path):
    _log(ember, tmp_path / "ember")
    _log(torch, tmp_path / "torch")
    ours, theirs = _read(tmp_path / "ember"), _read(tmp_path / "torch")
    assert set(ours) == set(theirs) == {".", "run_train", "run_val"}
    assert ours["."][:2] == [(0, "loss", 1.0), (1, "loss", 0.5)]
    assert ours["run_val"][2] == (2, "run", 0.5)
    for run in ours:
        for (s, tag, what), (ts, ttag, twhat) in zip(ours[run], theirs[run]):
            assert (s, tag) == (ts, ttag)
            assert what == twhat
        assert len(ours[run]) == len(theirs[run])


def test_context_manager_and_errors(tmp_path):
    from ember.utils.tensorboard import SummaryWriter
    with SummaryWriter(log_dir=str(tmp_path)) as w:
        assert w.get_logdir() == str(tmp_path)
        with pytest.raises(AssertionError, match="one element"):
            w.add_scalar("x", ember.ones(2))
        w.add_scalar("x", 3, new_style=True)
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 1


def test_missing_tensorboard_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    for name in [n for n in sys.modules if n.startswith("ember.utils.tensorboard")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match="optional 'tensorboard' package.*pip install "
                                          "tensorboard"):
        importlib.import_module("ember.utils.tensorboard")
