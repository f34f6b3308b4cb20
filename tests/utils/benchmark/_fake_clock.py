"""A deterministic clock for timing tests: the timed statement `clock.tick()` advances it by the
next of a cycle of step lengths, and the Timer reads it (timer=clock), so every measured time
is known in advance and identical under ember and torch."""
import itertools


class FakeClock:
    def __init__(self, *steps):
        self.now = 0.0
        self.ticks = 0
        self._steps = itertools.cycle(steps)

    def tick(self):
        self.now += next(self._steps)
        self.ticks += 1

    def __call__(self):
        return self.now


def fake_timer(bench, *steps, stmt="clock.tick()", **kwargs):
    """bench.Timer (bench: ember's or torch's benchmark module) timing `stmt` on a FakeClock."""
    clock = FakeClock(*steps)
    return bench.Timer(stmt, globals={"clock": clock}, timer=clock, **kwargs)


def body(measurement):
    """repr(measurement) without its first line, <module.Measurement object at 0x...>."""
    first, _, rest = repr(measurement).partition("\n")
    assert first.startswith("<") and first.endswith(">") and " object at 0x" in first
    return rest
