"""AdaptiveLogSoftmaxWithLoss: a softmax over many classes split into a frequent shortlist, scored
by the head, and rarer clusters, each scored by a smaller tail network given its head column."""
import collections

from ...ops import cat
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = collections.namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """The head scores the shortlist classes [0, cutoffs[0]) and one column per cluster; cluster
    c's classes get that column's log-probability plus their log-softmax within the cluster."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1 \
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in "
                             "an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device,
                           dtype=dtype)
        self.tail = ModuleList()
        for c in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (c + 1)))
            size = self.cutoffs[c + 1] - self.cutoffs[c]
            self.tail.append(Sequential(
                Linear(in_features, hidden, bias=False, device=device, dtype=dtype),
                Linear(hidden, size, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def forward(self, input, target):
        """(output, loss): output the log-probability of each row's target, loss its negated
        mean. input (N, in_features) with target (N,), or (in_features,) with a 0-d target."""
        if target.dim() == 1:
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input.dim() != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {input.shape}")
        elif target.dim() == 0:
            if input.dim() != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {input.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target.dim() == 1
        x = input if batched else input.unsqueeze(0)
        t = target if batched else target.unsqueeze(0)
        head_logp = F.log_softmax(self.head(x), dim=1)
        column = t  # the head column each row reads: its class, or its cluster's column
        within = head_logp.new_zeros(t.shape[0])  # log-probability inside the row's cluster
        covered = (t >= 0) & (t < self.shortlist_size)
        for c in range(self.n_clusters):
            low, high = self.cutoffs[c], self.cutoffs[c + 1]
            in_cluster = (t >= low) & (t < high)
            rows = in_cluster.nonzero().reshape(-1)
            if rows.numel() == 0:
                continue
            covered = covered | in_cluster
            column = column.index_fill(0, rows, self.shortlist_size + c)
            cluster_logp = F.log_softmax(self.tail[c](x.index_select(0, rows)), dim=1)
            local = t.index_select(0, rows) - low
            within = within.index_copy(0, rows, cluster_logp.gather(1, local.unsqueeze(1))
                                       .squeeze(1))
        if not bool(covered.all()):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values "
                               f"in range [{t.min().item()}, {t.max().item()}] were found. ")
        output = within + head_logp.gather(1, column.unsqueeze(1)).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def log_prob(self, input):
        """The log-probabilities of every class, (N, n_classes)."""
        head_logp = F.log_softmax(self.head(input), dim=1)
        parts = [head_logp[:, :self.shortlist_size]]
        for c in range(self.n_clusters):
            cluster_logp = F.log_softmax(self.tail[c](input), dim=1)
            parts.append(cluster_logp + head_logp[:, self.shortlist_size + c].unsqueeze(1))
        return cat(parts, 1)

    def predict(self, input):
        """The most likely class of each row (a shortlist class that wins in the head beats every
        class of every cluster, so this is the argmax of log_prob)."""
        return self.log_prob(input).argmax(dim=1)
