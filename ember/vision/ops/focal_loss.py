"""sigmoid_focal_loss (Lin et al., 2017, the RetinaNet loss)."""
from ...nn import functional as F
from ._utils import reduce_loss

__all__ = ["sigmoid_focal_loss"]


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    """Binary cross entropy on the logits `inputs` against `targets` (0 or 1, same shape), each
    term scaled by (1 - p_t) ** gamma, p_t the probability given to the true class, and by alpha
    for positives and 1 - alpha for negatives (no weighting when alpha < 0)."""
    prob = inputs.sigmoid()
    bce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    prob_true = prob * targets + (1 - prob) * (1 - targets)
    loss = bce * (1 - prob_true) ** gamma
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return reduce_loss(loss, reduction)
