"""Wall-clock timing shared by the benchmarks: a run's wall time and the part of it
spent in the cyclic garbage collector."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["GcClock", "Timing", "timed"]


@dataclass(frozen=True, slots=True)
class Timing:
    """One timed run: wall seconds, of which ``gc`` in the cyclic garbage collector."""

    wall: float
    gc: float


class GcClock:
    """Wall time spent in the cyclic GC while installed (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def timed(fn: Callable[[], None], *, collect: bool = True) -> Timing:
    """Run ``fn`` (from a collected heap unless told not to, so that no garbage of
    earlier runs is scanned by this run's collections); its wall and GC time."""
    if collect:
        gc.collect()
    with GcClock() as clock:
        t0 = time.perf_counter()
        fn()
        wall = time.perf_counter() - t0
    return Timing(wall, clock.total)
