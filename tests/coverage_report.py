"""Coverage of PyTorch's public namespaces by name: `python -m tests.coverage_report [OUT.md]`
(from the repository root) writes the table (default /tmp/coverage.md) and lists the names of
tests/namespace_exclusions.py that are stale. tests/test_namespace_coverage.py checks the same
figures."""
import sys

from .namespace_exclusions import EXCLUDED

NAMESPACES = ["torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.linalg",
              "torch.special", "torch.fft", "torch.autograd", "torch.autograd.forward_ad",
              "torch.autograd.graph",
              "torch.distributions",
              "torch.distributions.transforms",
              "torch.distributions.constraints", "torch.optim", "torch.optim.lr_scheduler",
              "torch.optim.swa_utils",
              "torch.nn.init", "torch.nn.utils", "torch.nn.utils.rnn",
              "torch.nn.utils.parametrize", "torch.nn.utils.parametrizations", "torch.utils.data",
              "torch.func", "torch.random"]


def namespaces(torch, ember):
    """(torch object, ember object) for each namespace name; ember's is None where it has no such
    module (every public name of torch's then counts as missing)."""
    import importlib
    pairs = {"torch": (torch, ember), "torch.Tensor": (torch.Tensor, ember.Tensor)}
    for ns in NAMESPACES[2:]:
        path = ns.partition(".")[2]
        try:
            mine = importlib.import_module("ember." + path)
        except ModuleNotFoundError:
            mine = None
        pairs[ns] = (importlib.import_module("torch." + path), mine)
    return pairs


def excluded(ns):
    """{name: reason} of one namespace's exclusion list."""
    return {n: reason for reason, names in EXCLUDED[ns].items() for n in names.split()}


def coverage(torch, ember):
    """Per namespace: the public names torch has, those ember has, the excluded ones by reason, the
    not-excluded names ember lacks (must be none) and the excluded names ember now has (stale,
    must be none; a Python module torch imports into its namespace may be in ember's too)."""
    rows = {}
    for ns, (t, e) in namespaces(torch, ember).items():
        public = sorted(n for n in dir(t) if not n.startswith("_"))
        has = [n for n in public if hasattr(e, n)]
        reasons = excluded(ns)
        by_reason = {}
        for n in public:
            if n in reasons and not hasattr(e, n):
                by_reason.setdefault(reasons[n], []).append(n)
        rows[ns] = {
            "public": public, "has": has, "by_reason": by_reason,
            "missing": [n for n in public if n not in reasons and not hasattr(e, n)],
            "stale": sorted(n for n, r in reasons.items() if r != "python" and hasattr(e, n)),
            "unknown": sorted(n for n in reasons if n not in public),
        }
    return rows


def markdown(rows, torch_version):
    out = [f"### Namespace coverage by name (torch {torch_version})", "",
           "Public names (no leading underscore) of each torch namespace. *Out of scope*: sparse, "
           "quantized, backend-internal, TorchScript, complex/exotic dtypes, deprecated, aten "
           "internals and Python imports (tests/namespace_exclusions.py gives each name's reason). "
           "*To do*: not yet implemented. Coverage is ember's share of the names in scope.", "",
           "| namespace | torch names | ember has | out of scope | to do | coverage in scope "
           "| ember has of all |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for ns, r in rows.items():
        n_public, n_has = len(r["public"]), len(r["has"])
        todo = len(r["by_reason"].get("todo", []))
        out_of_scope = sum(len(v) for k, v in r["by_reason"].items() if k != "todo")
        in_scope = n_public - out_of_scope
        out.append(f"| `{ns}` | {n_public} | {n_has} | {out_of_scope} | {todo} | "
                   f"{100 * n_has / in_scope:.1f}% | {100 * n_has / n_public:.1f}% |")
    out += ["", "Out of scope, by reason:", ""]
    for ns, r in rows.items():
        parts = ", ".join(f"{k} {len(v)}" for k, v in sorted(r["by_reason"].items()) if k != "todo")
        out.append(f"- `{ns}`: {parts}")
    return "\n".join(out) + "\n"


def main(argv):
    import torch

    import ember
    path = argv[1] if len(argv) > 1 else "/tmp/coverage.md"
    rows = coverage(torch, ember)
    text = markdown(rows, torch.__version__)
    with open(path, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    for ns, r in rows.items():
        for key, what in (("missing", "neither in ember nor excluded"),
                          ("stale", "in ember now: delete from the exclusions"),
                          ("unknown", "not a public torch name")):
            if r[key]:
                sys.stdout.write(f"\n{ns}: {what}: {' '.join(r[key])}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
