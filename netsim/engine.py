"""The engine: simulated time (simpy), the seeded RNG and the trace recorder.

Everything the model does later than "now" is a callback on the engine's
calendar.  Callbacks due at the same instant share one simpy event (a bucket),
so a burst of frames crossing a link costs one heap operation, not one per
frame, and never a simpy process per device.  Callbacks in a bucket run in the
order they were scheduled, which keeps every run deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final, final

import simpy
from simpy import Timeout

from netsim.trace import TraceRecorder

__all__ = ["DEFAULT_LATENCY", "Engine", "Timer"]

#: Time a frame takes to cross a link (a veth pair), in seconds.  The kernel
#: hands a frame to the peer synchronously; 10 µs makes ping times look like a
#: real host's and keeps cause before effect in traces.
DEFAULT_LATENCY: Final = 10e-6


@final
class Timer:
    """A cancellable callback, as the kernel's ``timer_list``/``delayed_work``."""

    __slots__ = ("_fn", "cancelled", "when")

    def __init__(self, when: float, fn: Callable[[], None]):
        self.when = when
        self._fn = fn
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._fn()


@final
class Engine:
    """Clock, calendar, randomness and tracing for one simulated world."""

    def __init__(self, seed: int = 0, *, trace: bool = True):
        self.seed = seed
        self.env: Final = simpy.Environment()
        self.rng: Final = random.Random(seed)
        self.trace: Final = TraceRecorder(enabled=trace)
        #: nanosecond -> [fn, arg, fn, arg, ...]: flat, so scheduling allocates nothing
        self._buckets: dict[int, list[Any]] = {}
        self._run_cb = self._run_bucket  # bound once: a bucket is scheduled per instant

    @property
    def now(self) -> float:
        """Simulated seconds since the world was built (read on every packet step:
        simpy's clock attribute directly, not through its property)."""
        return self.env._now + 0.0  # int 0 at the start: as a float

    def call_later(self, delay: float, fn: Callable[[Any], None], arg: Any) -> None:
        """Run ``fn(arg)`` after ``delay`` simulated seconds.

        The calendar is keyed by whole nanoseconds, so callbacks due at the
        same instant share a bucket however their times were computed.
        """
        env = self.env
        now = env._now
        key = int((now + delay) * 1e9 + 0.5)
        bucket = self._buckets.get(key)
        if bucket is None:
            self._buckets[key] = [fn, arg]
            when = key * 1e-9 - now
            Timeout(env, when if when > 0.0 else 0.0, key).callbacks.append(self._run_cb)
        else:
            bucket.append(fn)
            bucket.append(arg)

    def timer(self, delay: float, fn: Callable[[], None]) -> Timer:
        """Schedule ``fn()`` after ``delay`` seconds; the result can be cancelled."""
        t = Timer(self.env.now + delay, fn)
        self.call_later(delay, Timer.fire, t)
        return t

    def _run_bucket(self, event: simpy.Event) -> None:
        key: int = event.value  # type: ignore[assignment]  # the Timeout's value
        bucket = self._buckets.pop(key)
        for i in range(0, len(bucket), 2):
            bucket[i](bucket[i + 1])

    def run(self, until: float | None = None) -> None:
        """Advance simulated time to ``until``, running everything due up to and
        including that instant (or, without ``until``, until nothing is left)."""
        env = self.env
        if until is None:
            env.run()
            return
        if until > env.now:
            env.run(until=until)
        while env.peek() <= until:
            env.step()
