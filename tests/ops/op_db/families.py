"""Collects the OPS lists of every family module in this folder."""
import importlib
import pkgutil


def collect():
    ops = []
    import tests.ops.op_db as pkg
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name in ("families",):
            continue
        mod = importlib.import_module(f"tests.ops.op_db.{info.name}")
        ops.extend(getattr(mod, "OPS", []))
    return ops
