"""SummaryWriter: scalars, histograms and text as TensorBoard events (tensorboard's protobufs and
its EventFileWriter do the file format)."""
import os
import socket
import time
from datetime import datetime

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from ..._tensor import Tensor

__all__ = ["SummaryWriter", "FileWriter"]


def _numpy(value):
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _scalar(value):
    array = _numpy(value)
    if array.size != 1:
        raise AssertionError(f"Tensor should contain one element (0 dimensions). Was given size: "
                             f"{array.size} and {array.ndim} dimensions.")
    return array.reshape(()).item()


class FileWriter:
    """Events into one event file of log_dir."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=""):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        return self.event_writer.get_logdir()

    def add_summary(self, summary, global_step=None, walltime=None):
        event = Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if global_step is not None:
            event.step = int(global_step)
        self.event_writer.add_event(event)

    def flush(self):
        self.event_writer.flush()

    def close(self):
        self.event_writer.close()


def _tensorflow_bins():
    """TensorFlow's default histogram bucket edges: +-1e-12 growing by 10% below +-1e20, and 0."""
    edges, edge = [], 1e-12
    while edge < 1e20:
        edges.append(edge)
        edge *= 1.1
    return [-e for e in reversed(edges)] + [0.0] + edges


def _histogram(values, bins, max_bins):
    values = _numpy(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    edges = _tensorflow_bins() if bins == "tensorflow" else bins
    counts, limits = np.histogram(values, bins=edges)
    if max_bins is not None and len(counts) > max_bins:
        group = len(counts) // max_bins  # merge runs of `group` bins, padding the last run
        pad = -len(counts) % group
        counts = np.concatenate([counts, np.zeros(pad, counts.dtype)]).reshape(-1, group).sum(1)
        limits = np.concatenate([limits[:-1:group], limits[-1:]])
    # TensorBoard stores right edges only: keep the non-empty span and one empty bucket before
    # it, whose right edge is the span's left edge.
    nonzero = np.flatnonzero(counts)
    first, last = nonzero[0], nonzero[-1] + 1
    counts = np.concatenate([[0], counts[first:last]]) if first == 0 else \
        counts[first - 1:last]
    limits = limits[first:last + 1]
    return HistogramProto(min=float(values.min()), max=float(values.max()),
                          num=int(values.size), sum=float(values.sum()),
                          sum_squares=float(values.dot(values)),
                          bucket_limit=limits.tolist(), bucket=counts.astype(np.float64).tolist())


class SummaryWriter:
    """Writes TensorBoard event files under log_dir (runs/<date>_<host><comment> by default)."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = None
        self.all_writers = {}
        self._get_file_writer()

    def _get_file_writer(self):
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers[self.file_writer.get_logdir()] = self.file_writer
            if self.purge_step is not None:
                self.file_writer.event_writer.add_event(
                    Event(step=self.purge_step, file_version="brain.Event:2"))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        value = float(_scalar(scalar_value))
        if new_style:
            tensor = TensorProto(dtype="DT_DOUBLE" if double_precision else "DT_FLOAT",
                                 tensor_shape=TensorShapeProto())
            (tensor.double_val if double_precision else tensor.float_val).append(value)
            meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
                plugin_name="scalars"))
            summary = Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=meta)])
        else:
            summary = Summary(value=[Summary.Value(tag=tag, simple_value=value)])
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Each scalar into its own run, log_dir/<main_tag>_<tag>, under the tag main_tag."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(self._get_file_writer().get_logdir(),
                                main_tag.replace("/", "_") + "_" + tag)
            writer = self.all_writers.get(path)
            if writer is None:
                writer = self.all_writers[path] = FileWriter(path, self.max_queue,
                                                             self.flush_secs,
                                                             self.filename_suffix)
            summary = Summary(value=[Summary.Value(tag=main_tag,
                                                   simple_value=float(_scalar(value)))])
            writer.add_summary(summary, global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        histo = _histogram(values, bins, max_bins)
        summary = Summary(value=[Summary.Value(tag=tag, histo=histo)])
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
        tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf_8")],
                             tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
        summary = Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta,
                                               tensor=tensor)])
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def flush(self):
        for writer in self.all_writers.values():
            writer.flush()

    def close(self):
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
