"""A graph neural network written without a graph library: an int64 edge_index, message passing
with index_select / scatter_add_ / index_add_ / scatter_reduce_, symmetric degree normalisation,
a GCN layer on a sparse COO adjacency, GAT-style attention with a segment softmax, global mean
pooling per graph, and a few Adam steps on masked node labels."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def init(m):
    with torch.no_grad():
        for i, p in enumerate(m.parameters()):
            ramp = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_(ramp.sin() * 0.3 + 0.01 * i)


# Two graphs in one batch: a 5-node ring with a chord and a 4-node path; node 8 is isolated.
edges = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2), (5, 6), (6, 7)]
src = torch.tensor([a for a, b in edges] + [b for a, b in edges])
dst = torch.tensor([b for a, b in edges] + [a for a, b in edges])
edge_index = torch.stack([src, dst])
num_nodes = 9
batch = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1])
x = torch.stack([torch.arange(num_nodes, dtype=torch.float32).sin(),
                 torch.arange(num_nodes, dtype=torch.float32).cos(),
                 torch.linspace(-1, 1, num_nodes)], dim=1)
labels = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2])
train_mask = torch.tensor([True, True, False, True, True, True, False, True, True])
print("edge_index", edge_index.dtype, tuple(edge_index.shape))

deg = torch.bincount(edge_index[1], minlength=num_nodes).float()
print("deg", deg.tolist())
deg_inv_sqrt = deg.pow(-0.5)
deg_inv_sqrt = deg_inv_sqrt.masked_fill(deg_inv_sqrt == float("inf"), 0.0)
print("deg^-1/2", [round(v, 5) for v in deg_inv_sqrt.tolist()])


def scatter_messages(x):
    """Sum, mean and max of neighbour features, three ways."""
    msg = x.index_select(0, edge_index[0])
    idx = edge_index[1].unsqueeze(1).expand_as(msg)
    total = torch.zeros(num_nodes, x.shape[1]).scatter_add_(0, idx, msg)
    again = torch.zeros(num_nodes, x.shape[1]).index_add_(0, edge_index[1], msg)
    mean = torch.zeros(num_nodes, x.shape[1]).scatter_reduce_(0, idx, msg, reduce="mean",
                                                             include_self=False)
    amax = torch.zeros(num_nodes, x.shape[1]).scatter_reduce_(0, idx, msg, reduce="amax",
                                                             include_self=False)
    return total, again, mean, amax


total, again, mean, amax = scatter_messages(x)
print("sum == index_add", torch.allclose(total, again))
print("sum row0", [round(v, 5) for v in total[0].tolist()])
print("mean row3", [round(v, 5) for v in mean[3].tolist()])
print("amax col0", [round(v, 5) for v in amax[:, 0].tolist()])


def normalized_adjacency():
    loops = torch.arange(num_nodes)
    idx = torch.cat([edge_index, torch.stack([loops, loops])], dim=1)
    d = torch.bincount(idx[1], minlength=num_nodes).float().pow(-0.5)
    vals = d[idx[0]] * d[idx[1]]
    # A duplicate entry checks that coalesce() sums it away.
    idx = torch.cat([idx, idx[:, :1]], dim=1)
    vals = torch.cat([vals, torch.zeros(1)])
    return torch.sparse_coo_tensor(idx, vals, (num_nodes, num_nodes)).coalesce()


adj = normalized_adjacency()
print("adj", adj.is_sparse, adj.is_coalesced(), adj._nnz(), tuple(adj.indices().shape),
      round(adj.values().sum().item(), 5))
print("adj dense row0", [round(v, 5) for v in adj.to_dense()[0].tolist()])


class GCNLayer(nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.lin = nn.Linear(fin, fout)

    def forward(self, adj, x):
        return torch.sparse.mm(adj, self.lin(x))


def segment_softmax(scores, index, n):
    """Softmax of scores over the edges that share a destination node."""
    top = torch.zeros(n).scatter_reduce(0, index, scores, reduce="amax", include_self=False)
    e = (scores - top.index_select(0, index)).exp()
    denom = torch.zeros(n).scatter_add(0, index, e)
    return e / denom[index]


class GATLayer(nn.Module):
    def __init__(self, fin, fout):
        super().__init__()
        self.lin = nn.Linear(fin, fout, bias=False)
        self.att_src = nn.Parameter(torch.empty(fout))
        self.att_dst = nn.Parameter(torch.empty(fout))

    def forward(self, x, edge_index):
        h = self.lin(x)
        s, d = edge_index
        scores = F.leaky_relu((h * self.att_src).sum(-1)[s] + (h * self.att_dst).sum(-1)[d], 0.2)
        alpha = segment_softmax(scores, d, x.shape[0])
        out = torch.zeros_like(h).index_add_(0, d, h[s] * alpha.unsqueeze(-1))
        return out, alpha


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gcn = GCNLayer(3, 8)
        self.gat = GATLayer(8, 6)
        self.cls = nn.Linear(6, 3)
        self.graph_head = nn.Linear(6, 2)

    def forward(self, x):
        h = F.relu(self.gcn(adj, x))
        h, alpha = self.gat(h, edge_index)
        h = F.elu(h)
        counts = torch.bincount(batch).float().unsqueeze(1)
        pooled = torch.zeros(2, h.shape[1]).index_add_(0, batch, h) / counts
        return self.cls(h), self.graph_head(pooled), alpha


torch.manual_seed(0)
net = Net()
init(net)
opt = torch.optim.Adam(net.parameters(), lr=0.05)
for step in range(6):
    opt.zero_grad()
    logits, graph_out, alpha = net(x)
    loss = F.cross_entropy(logits[train_mask], labels[train_mask])
    loss = loss + 0.1 * graph_out.pow(2).mean()
    loss.backward()
    opt.step()
    print(f"step {step} loss {loss.item():.6f}")

net.eval()
with torch.no_grad():
    logits, graph_out, alpha = net(x)
pred = logits.argmax(dim=1)
acc = (pred[train_mask] == labels[train_mask]).float().mean()
print("pred", pred.tolist(), "train acc", round(acc.item(), 6))
print("alpha sums", [round(v, 5) for v in torch.zeros(num_nodes).index_add_(
    0, edge_index[1], alpha).tolist()])
print("graph out", [[round(v, 5) for v in row] for row in graph_out.tolist()])
print("gat grad norm", round(net.gat.att_src.grad.norm().item(), 6))
