"""What the main job shows and saves: accuracy lines, the curves plot, the predictions grid,
and the metrics file, and how a run's outputs replace the previous run's as a whole."""
import json
import os
import shutil
import tempfile

import numpy as np

import ember
from ..utils._tempfiles import remove_stale, temp_dir

# What a run writes into its output folder (save_run); a folder holding anything else is not
# replaced (see replace_outputs).
OUTPUTS = ("model.pt", "curves.png", "predictions.png", "metrics.json")


def class_accuracy_lines(classes, evaluation):
    return [f"Accuracy for class: {name:5s} is {100 * c / t if t else 0.0:.1f} %"
            for name, c, t in zip(classes, evaluation.correct, evaluation.total)]


def _save_figure(fig, path):
    import matplotlib.pyplot as plt
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_curves(path, batch_losses, batches_per_epoch, accuracies):
    """Training loss per batch (and its moving average) and test accuracy per epoch."""
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    x = np.arange(1, len(batch_losses) + 1) / batches_per_epoch
    left.plot(x, batch_losses, color="tab:blue", alpha=0.3, linewidth=0.8, label="batch")
    window = max(1, min(50, len(batch_losses) // 10))
    smooth = np.convolve(batch_losses, np.ones(window) / window, mode="valid")
    left.plot(x[window - 1:], smooth, color="tab:blue", label=f"mean of {window}")
    left.set(xlabel="epoch", ylabel="training loss", title="Loss")
    left.legend()
    epochs = np.arange(1, len(accuracies) + 1)
    right.plot(epochs, [100 * a for a in accuracies], marker="o", color="tab:green")
    right.set(xlabel="epoch", ylabel="test accuracy (%)", title="Test accuracy",
              xticks=epochs)
    right.grid(alpha=0.3)
    fig.tight_layout()
    _save_figure(fig, path)


def plot_predictions(path, evaluation, classes, mean, std, columns=8):
    """The first test images, titled true/predicted, wrong predictions in red."""
    import matplotlib.pyplot as plt
    n = len(evaluation.labels)
    rows = max(1, -(-n // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.5), squeeze=False)
    images = evaluation.images * np.asarray(std)[:, None, None] + np.asarray(mean)[:, None, None]
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(np.clip(images[k].transpose(1, 2, 0), 0, 1))
        true, guess = evaluation.labels[k], evaluation.predictions[k]
        ax.set_title(f"{classes[true]}/{classes[guess]}", fontsize=8,
                     color="black" if true == guess else "red")
    fig.suptitle("test images: true/predicted")
    fig.tight_layout()
    _save_figure(fig, path)


def write_json(path, obj):
    """Write JSON atomically (a temporary file renamed into place)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_only(path):
    """No write permission for us, or (honoured even for root) no write bit at all."""
    return not os.access(path, os.W_OK) or not os.stat(path).st_mode & 0o222


def replace_outputs(out, write, outputs=OUTPUTS):
    """Call write(folder) on a fresh hidden folder beside `out`, then swap it in for `out` (two
    renames, undone if interrupted between them), so `out` always holds one run's outputs,
    never a mix. The previous folder is replaced only if it holds nothing but `outputs` and is
    writable; an OSError otherwise. Stale folders of killed runs are removed first."""
    out = os.path.abspath(out).rstrip(os.sep)
    parent, name = os.path.split(out)
    remove_stale(parent, ("new", "old"), base=name)
    new = temp_dir(out, "new")
    try:
        write(new)
        if not os.path.lexists(out):
            os.replace(new, out)
            return
        foreign = sorted(set(os.listdir(out)) - set(outputs))
        if foreign:
            raise FileExistsError(0, f"it now holds files that are not a run's outputs "
                                     f"({', '.join(foreign[:3])})")
        if read_only(out):
            raise PermissionError(0, "it is read-only")
        old = temp_dir(out, "old")
        os.replace(out, old)  # onto the empty folder just made
        try:
            os.replace(new, out)
        except BaseException:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(new, ignore_errors=True)


def save_run(out, state_dict, config, seconds, batch_losses, batches_per_epoch, epoch_losses,
             accuracies, evaluation, classes, normalization):
    """Write model.pt, curves.png, predictions.png and metrics.json into `out`."""
    ember.save(state_dict, os.path.join(out, "model.pt"))
    plot_curves(os.path.join(out, "curves.png"), batch_losses, batches_per_epoch, accuracies)
    plot_predictions(os.path.join(out, "predictions.png"), evaluation, classes, *normalization)
    write_json(os.path.join(out, "metrics.json"), dict(
        config, train_seconds=round(seconds, 2), test_accuracy=accuracies,
        train_loss=epoch_losses,
        class_accuracy={c: (k / t if t else None)
                        for c, k, t in zip(classes, evaluation.correct, evaluation.total)}))
