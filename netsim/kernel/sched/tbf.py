"""The token bucket filter, ``net/sched/sch_tbf.c``.

``tbf_change`` turns the request (``tc_tbf_qopt``: rate, buffer in ticks,
limit in bytes, optional peak rate and mtu; ``TCA_TBF_RATE64``,
``TCA_TBF_BURST``) into the bucket: depth ``buffer`` in nanoseconds of the
rate, ``max_size`` the largest packet the bucket can ever pass, and a
:class:`~netsim.kernel.sched.qdisc.Bfifo` child of ``limit`` bytes that holds
what waits for tokens.

* ``tbf_enqueue``: a packet longer than ``max_size`` is dropped (no GSO in
  the model to segment); else it goes to the child, which drops it when its
  backlog would pass ``limit``.
* ``tbf_dequeue``: tokens grow with time (``now - t_c``, capped at
  ``buffer``); the head packet leaves when the tokens cover its
  ``psched_l2t_ns``; otherwise the watchdog is set for the moment they will
  (``qdisc_watchdog_schedule_ns``) and an overlimit is counted.

Times are whole nanoseconds of the simulated clock, as ``ktime_get_ns()``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, ClassVar, Final

from netsim.errors import KernelError
from netsim.kernel.sched.psched import RateCfg, ns2ticks, ticks2ns
from netsim.kernel.sched.qdisc import Bfifo, EgressQdisc, Qdisc, now_ns, tc_h_maj
from netsim.trace import QUEUED

if TYPE_CHECKING:
    from netsim.engine import Timer
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["TBF_OPTION_KEYS", "Tbf"]

_U32: Final = 0xFFFFFFFF
#: The fields of a tbf request (``tc_tbf_qopt`` and the TCA_TBF_* attributes).
TBF_OPTION_KEYS: Final = frozenset({
    "rate", "rate64", "buffer", "limit", "mtu", "peakrate", "prate64", "burst", "pburst",
    "linklayer", "overhead", "mpu", "cell_log", "peak_linklayer", "peak_mpu",
})  # fmt: skip


def _opt(opts: dict[str, Any], key: str) -> int:
    return int(opts.get(key) or 0)


class Tbf(EgressQdisc):
    """``tbf``: a token bucket of ``buffer`` ns at ``rate``, ``limit`` bytes of queue."""

    kind: ClassVar[str] = "tbf"

    def __init__(self, dev: Link, handle: int, parent: int, opts: dict[str, Any]):
        super().__init__(dev, handle, parent)
        self.child: Bfifo | None = None  # noop_qdisc until a limit is given
        self.limit = 0
        self.max_size = 0
        self.buffer = 0
        self.mtu = 0
        self.rate = RateCfg()
        self.peak = RateCfg(0)
        self.tokens = 0
        self.ptokens = 0
        self.t_c = now_ns(dev)
        self._watchdog: Timer | None = None
        self._watchdog_ns = 0
        self.change(opts)

    # --- tbf_change -------------------------------------------------------------------

    def change(self, opts: dict[str, Any]) -> None:
        """``tbf_change``: validate everything, then apply (EINVAL changes nothing)."""
        if "rate" not in opts and "rate64" not in opts:
            raise KernelError(errno.EINVAL)  # no TCA_TBF_PARMS
        rate = RateCfg.precompute(max(_opt(opts, "rate") & _U32, _opt(opts, "rate64")),
                                  overhead=_opt(opts, "overhead"), mpu=_opt(opts, "mpu"),
                                  linklayer=_opt(opts, "linklayer"))  # fmt: skip
        if rate.linklayer == 2:
            raise KernelError(errno.EOPNOTSUPP, "netsim: tbf linklayer atm is not modelled yet")
        buffer = min(ticks2ns(_opt(opts, "buffer")), _U32)
        mtu = min(ticks2ns(_opt(opts, "mtu")), _U32)
        if opts.get("burst") is not None:
            max_size = _opt(opts, "burst") & _U32
            buffer = rate.l2t_ns(max_size)
        else:
            max_size = min(rate.ns_t2l(buffer), _U32)
        peak = RateCfg(0)
        peakrate = max(_opt(opts, "peakrate") & _U32, _opt(opts, "prate64"))
        if _opt(opts, "peakrate"):
            peak = RateCfg.precompute(peakrate, mpu=_opt(opts, "peak_mpu"),
                                      linklayer=_opt(opts, "peak_linklayer"))  # fmt: skip
            if peak.rate_bytes_ps <= rate.rate_bytes_ps:
                raise KernelError(errno.EINVAL)  # "peakrate ... is lower than or equals to rate"
            if opts.get("pburst") is not None:
                pburst = _opt(opts, "pburst") & _U32
                max_size = min(max_size, pburst)
                mtu = peak.l2t_ns(pburst)
            else:
                max_size = min(max_size, peak.ns_t2l(mtu))
        if not max_size:
            raise KernelError(errno.EINVAL)
        limit = _opt(opts, "limit") & _U32
        if self.child is not None:
            self.child.limit = limit  # fifo_set_limit
        elif limit > 0:
            self.child = Bfifo(self.dev, tc_h_maj(self.handle) | 1, self.handle, limit)
        self.limit = limit
        self.mtu = mtu if opts.get("pburst") is not None else ticks2ns(_opt(opts, "mtu"))
        self.max_size = max_size
        self.buffer = buffer if opts.get("burst") is not None else ticks2ns(_opt(opts, "buffer"))
        self.tokens, self.ptokens = self.buffer, self.mtu
        self.rate, self.peak = rate, peak

    # --- the data path ------------------------------------------------------------------

    def enqueue(self, skb: Skb) -> bool:
        """``tbf_enqueue``."""
        if skb.len > self.max_size:
            self.drop(skb, f"tbf: {skb.len} bytes exceed the bucket ({self.max_size} bytes)")
            return False
        if self.child is None:
            self.drop(skb, "tbf: no queue (limit 0)")
            return False
        if not self.child.enqueue(skb):
            self.drops += 1
            return False
        self.backlog += skb.len
        self.qlen += 1
        return True

    def dequeue(self) -> Skb | None:
        """``tbf_dequeue``."""
        child = self.child
        skb = child.peek() if child is not None else None
        if skb is None:
            return None
        now = now_ns(self.dev)
        length = skb.len
        toks = min(now - self.t_c, self.buffer)
        ptoks = 0
        if self.peak.rate_bytes_ps:
            ptoks = min(toks + self.ptokens, self.mtu) - self.peak.l2t_ns(length)
        toks = min(toks + self.tokens, self.buffer) - self.rate.l2t_ns(length)
        if toks >= 0 and ptoks >= 0:
            assert child is not None
            since = child.times[0]
            child.dequeue()
            self.t_c, self.tokens, self.ptokens = now, toks, ptoks
            self.backlog -= length
            self.qlen -= 1
            self.account(skb)
            if now > since and skb.steps is not None:
                self._note_wait(skb, now - since)
            return skb
        self._schedule(now + max(-toks, -ptoks))
        self.overlimits += 1
        return None

    def _note_wait(self, skb: Skb, waited: int) -> None:
        """A step for the time the packet spent waiting for tokens."""
        ns = self.dev.netns
        skb.note(self.dev.kernel.engine.now, ns.name if ns else "-", self.dev.ifname, QUEUED,
                 f"tbf {self.handle >> 16:x}: {waited / 1e6:.3f} ms")  # fmt: skip

    def _schedule(self, expires: int) -> None:
        """``qdisc_watchdog_schedule_ns``: (re)arm the one-shot timer for ``expires``."""
        if self._watchdog is not None:
            if self._watchdog_ns == expires:
                return
            self._watchdog.cancel()
        engine = self.dev.kernel.engine
        self._watchdog = engine.timer(max(expires * 1e-9 - engine.env.now, 0.0), self._fire)
        self._watchdog_ns = expires

    def _fire(self) -> None:
        """``qdisc_watchdog``: the device's queue runs again."""
        self._watchdog = None
        if self.dev.sched is self and self.dev.registered:
            self.run()

    # --- control --------------------------------------------------------------------------

    def reset(self) -> None:
        """``tbf_reset``: the queue emptied, the bucket full again."""
        if self.child is not None:
            self.child.reset()
        super().reset()
        self.t_c = now_ns(self.dev)
        self.tokens, self.ptokens = self.buffer, self.mtu
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def options(self) -> dict[str, Any] | None:
        """``tbf_dump``: ``tc_tbf_qopt`` (rates as ``psched_ratecfg_getrate`` gives them)."""
        opts: dict[str, Any] = {
            "limit": self.limit,
            "rate": self.rate.dump_rate(),
            "linklayer": self.rate.linklayer,
            "overhead": self.rate.overhead,
            "mpu": self.rate.mpu,
            "cell_log": 0,
            "peakrate": self.peak.dump_rate(),
            "mtu": ns2ticks(self.mtu),
            "buffer": ns2ticks(self.buffer),
        }
        if self.rate.rate_bytes_ps >= 1 << 32:
            opts["rate64"] = self.rate.rate_bytes_ps
        if self.peak.rate_bytes_ps >= 1 << 32:
            opts["prate64"] = self.peak.rate_bytes_ps
        return opts

    def children(self) -> list[Qdisc]:
        return [self.child] if self.child is not None else []
