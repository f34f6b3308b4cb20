"""Per-op overhead: ((x * 2 + 1).relu() * x).sum().backward() on a 10-element tensor, ember vs torch.

Run: python benchmarks/bench_overhead.py [--write]
One step is far below the clock's resolution, so each timed call runs a block of steps; both
frameworks are timed round-robin in one process (NOTE [ Timing on a shared machine ]).
"""
import argparse

import _common

import ember

STEPS_PER_CALL = 500


def block(mod):
    x = mod.randn(10, requires_grad=True)

    def run():
        for _ in range(STEPS_PER_CALL):
            ((x * 2 + 1).relu() * x).sum().backward()
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help="update this section of RESULTS.md")
    args = ap.parse_args()
    torch = _common.import_torch()
    fns = {"ember": block(ember)}
    if torch is not None:
        fns["torch"] = block(torch)
    t = _common.compare(fns, repeats=21)
    us = {k: (med / STEPS_PER_CALL * 1e6, low / STEPS_PER_CALL * 1e6) for k, (med, low) in t.items()}
    rows = [[k, f"{med:.1f}", f"{low:.1f}"] for k, (med, low) in us.items()]
    notes = []
    if torch is not None:
        notes.append(f"Ratio ember/torch (median): **{us['ember'][0] / us['torch'][0]:.2f}**; "
                     f"(minimum): {us['ember'][1] / us['torch'][1]:.2f}. Target: at most 1.0.")
    table = _common.markdown_table(["framework", "µs per step (median)", "µs per step (min)"],
                                   rows)
    body = _common.report("Per-op overhead (issue 2)", _common.command_line(),
                          _common.environment(torch), table, notes)
    print(body)
    if args.write:
        _common.write_section("Per-op overhead (issue 2)", body)


if __name__ == "__main__":
    main()
