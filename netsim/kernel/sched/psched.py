"""Packet-scheduler time and rate arithmetic, as the kernel and iproute2 do it.

* ``PSCHED_TICKS2NS`` / ``PSCHED_NS2TICKS`` (``include/net/pkt_sched.h``):
  a tick is 64 ns (``PSCHED_SHIFT`` 6); ``/proc/net/psched`` says so
  (``000003e8 00000040 000f4240 3b9aca00``), which makes a userspace tick
  1000/64 = 15.625 per microsecond (``tc_core_init``, netlink's ``initClock``).
* :class:`RateCfg` is ``struct psched_ratecfg`` with
  ``psched_ratecfg_precompute`` (the ``mult``/``shift`` pair that turns a
  length into nanoseconds), ``psched_l2t_ns`` and sch_tbf's ``psched_ns_t2l``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "NSEC_PER_SEC",
    "PROC_NET_PSCHED",
    "TICK_IN_USEC",
    "TIME_UNITS_PER_SEC",
    "RateCfg",
    "ns2ticks",
    "tick2time",
    "ticks2ns",
    "time2tick",
]

NSEC_PER_SEC: Final = 1_000_000_000
#: iproute2's and netlink's unit of time: microseconds.
TIME_UNITS_PER_SEC: Final = 1_000_000
PSCHED_SHIFT: Final = 6
#: What ``/proc/net/psched`` holds (``psched_show``): ns per us, ns per tick,
#: 1e6, and the hrtimer resolution's reciprocal.
PROC_NET_PSCHED: Final = "000003e8 00000040 000f4240 3b9aca00\n"
#: ``tick_in_usec`` of ``tc_core_init`` (and ``netlink.TickInUsec``) for that file.
TICK_IN_USEC: Final = 1000 / 64
_U32: Final = 0xFFFFFFFF
_U64: Final = (1 << 64) - 1


def ticks2ns(ticks: int) -> int:
    """``PSCHED_TICKS2NS``."""
    return ticks << PSCHED_SHIFT


def ns2ticks(ns: int) -> int:
    """``PSCHED_NS2TICKS``."""
    return ns >> PSCHED_SHIFT


def time2tick(usec: int) -> int:
    """``tc_core_time2tick`` / netlink's ``time2Tick``: ``uint32(usec * tick_in_usec)``."""
    return int(usec * TICK_IN_USEC) & _U32


def tick2time(ticks: int) -> int:
    """``tc_core_tick2time`` / netlink's ``tick2Time``: ``uint32(ticks / tick_in_usec)``."""
    return int(ticks / TICK_IN_USEC) & _U32


@dataclass(slots=True)
class RateCfg:
    """``struct psched_ratecfg``: a rate in bytes per second and its precomputed
    ``mult``/``shift`` (``psched_ratecfg_precompute``)."""

    rate_bytes_ps: int = 0
    mult: int = 1
    shift: int = 0
    overhead: int = 0
    mpu: int = 0
    linklayer: int = 0

    @classmethod
    def precompute(cls, rate: int, *, overhead: int = 0, mpu: int = 0,
                   linklayer: int = 0) -> RateCfg:  # fmt: skip
        """``psched_ratecfg_precompute``: ``mult = (NSEC_PER_SEC << shift) / rate``
        with the largest shift that keeps ``mult`` below 2^31."""
        r = cls(rate, 1, 0, overhead, mpu, linklayer & 0x0F)
        if rate <= 0:
            return r
        factor = NSEC_PER_SEC
        while True:
            r.mult = factor // rate
            if r.mult & (1 << 31) or factor & (1 << 63):
                break
            factor <<= 1
            r.shift += 1
        return r

    def l2t_ns(self, length: int) -> int:
        """``psched_l2t_ns``: nanoseconds ``length`` bytes take at this rate."""
        length += self.overhead
        length = max(length, self.mpu)
        return (length * self.mult) >> self.shift

    def ns_t2l(self, ns: int) -> int:
        """sch_tbf's ``psched_ns_t2l``: bytes this rate sends in ``ns``."""
        length = ((ns * self.rate_bytes_ps) & _U64) // NSEC_PER_SEC  # a u64 product
        return length - self.overhead if length > self.overhead else 0

    def dump_rate(self) -> int:
        """``psched_ratecfg_getrate``: the 32-bit ``tc_ratespec.rate``."""
        return min(self.rate_bytes_ps, _U32)
