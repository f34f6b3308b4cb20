"""What roi_align and roi_pool share: checking their arguments, grouping rois whose sampling
windows have the same size, splitting work into chunks of bounded memory."""
import numpy as np

from ..._dtype import type_name

# elements of the largest temporary (rois x bins x window x channels) one chunk may gather
CHUNK_ELEMENTS = 1 << 22


def check_inputs(features, rois, op, dtypes, same_type_message, unsupported_message):
    """torchvision's checks on the features (N, C, H, W) and rois (K, 5) Tensors; `{type}` in
    unsupported_message becomes the name of the features' dtype."""
    if features.dim() != 4:
        raise RuntimeError(f"{op}: input must be a 4-D tensor (N, C, H, W), got "
                           f"{features.dim()}-D")
    if rois.dim() != 2 or rois.size(1) != 5:
        raise RuntimeError("rois must have shape as Tensor[K, 5]")
    if features.dtype != rois.dtype:
        raise RuntimeError(same_type_message)
    if features.dtype.np not in dtypes:
        raise RuntimeError(unsupported_message.format(type=type_name(features.dtype)))


def batch_indices(xp, rois, batch_size):
    """The image index of each roi (the first column, truncated as an int cast does)."""
    with np.errstate(invalid="ignore"):
        index = xp.trunc(xp.nan_to_num(rois[:, 0], nan=-1.0)).astype(np.int64)
    if index.size and (int(index.min()) < 0 or int(index.max()) >= batch_size):
        bad = int(index.min()) if int(index.min()) < 0 else int(index.max())
        raise IndexError(f"roi batch index {bad} is out of range for an input of batch size "
                         f"{batch_size}")
    return index


def groups(xp, sizes_h, sizes_w):
    """Roi ids grouped by (size_h, size_w): one (ids, size_h, size_w) per distinct pair, so
    that a group's arrays stack without padding."""
    if sizes_h.size == 0:
        return []
    keys = sizes_h.astype(np.int64) * (int(sizes_w.max()) + 1) + sizes_w
    out = []
    for key in xp.unique(keys).tolist():
        ids = xp.flatnonzero(keys == key)
        out.append((ids, int(sizes_h[ids[0]]), int(sizes_w[ids[0]])))
    return out


def chunks(ids, per_roi):
    """ids split so that each piece times per_roi elements stays near CHUNK_ELEMENTS."""
    step = max(1, CHUNK_ELEMENTS // max(per_roi, 1))
    for start in range(0, len(ids), step):
        yield ids[start:start + step]
