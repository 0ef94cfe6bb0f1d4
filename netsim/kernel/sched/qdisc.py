"""Queueing disciplines: the parts of ``net/sched/sch_generic.c`` and
``sch_fifo.c`` the model needs, and the transmit path through a root qdisc.

* A device without a qdisc object of its own (``Link.sched is None``) sends
  straight to its driver, as ``noqueue`` does; ``Link.qdisc`` names what
  ``ip link`` shows (``noop`` until the device is first opened).
* :meth:`Qdisc.transmit` is ``__dev_xmit_skb``: enqueue (a refusal is a drop
  counted by the qdisc), then ``__qdisc_run``: dequeue and hand to the driver
  until the qdisc has nothing to give; each dequeue that finds the queue
  throttled counts an ``overlimit`` (``qdisc_restart`` tries once more after
  every packet it sends, and devices here are never busy; a veth also
  bulk-dequeues, which makes one more try per run).
* :class:`PfifoFast` is the default of a device with a transmit queue (an
  ``ifb``): three bands, ``txqueuelen`` packets; :class:`Bfifo` is the byte
  FIFO tbf keeps inside (``fifo_create_dflt``), invisible to ``tc qdisc show``.

Statistics are ``gnet_stats_basic`` (bytes and packets dequeued) and
``gnet_stats_queue`` (drops, overlimits, requeues, backlog, qlen)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar, Final

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = [
    "PRIO2BAND",
    "TC_H_INGRESS",
    "TC_H_ROOT",
    "TC_H_UNSPEC",
    "Bfifo",
    "EgressQdisc",
    "PfifoFast",
    "Qdisc",
    "now_ns",
    "tc_h_maj",
    "tc_h_min",
]

TC_H_UNSPEC: Final = 0
TC_H_ROOT: Final = 0xFFFFFFFF
TC_H_INGRESS: Final = 0xFFFFFFF1
#: ``prio2band`` of sch_generic.c (``pfifo_fast``'s priomap).
PRIO2BAND: Final = (1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1)


def tc_h_maj(h: int) -> int:
    """``TC_H_MAJ``."""
    return h & 0xFFFF0000


def tc_h_min(h: int) -> int:
    """``TC_H_MIN``."""
    return h & 0x0000FFFF


def now_ns(dev: Link) -> int:
    """``ktime_get_ns()``: the simulated clock in whole nanoseconds."""
    return int(dev.kernel.engine.env.now * 1e9 + 0.5)


class Qdisc:
    """One qdisc (``struct Qdisc``) on ``dev``: its handle, parent and counters."""

    kind: ClassVar[str] = ""
    #: ``TCQ_F_INVISIBLE``: left out of dumps (a default child).
    invisible: ClassVar[bool] = False

    def __init__(self, dev: Link, handle: int, parent: int):
        self.dev = dev
        self.handle = handle
        self.parent = parent
        self.bytes = 0
        self.packets = 0
        self.drops = 0
        self.overlimits = 0
        self.requeues = 0
        self.backlog = 0
        self.qlen = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.handle >> 16:x}: dev {self.dev.ifname}>"

    def drop(self, skb: Skb, reason: str) -> None:
        """``qdisc_drop``: count it, free it (recording why)."""
        self.drops += 1
        self.dev.drop(skb, reason)

    def account(self, skb: Skb) -> None:
        """``qdisc_bstats_update`` when a packet leaves."""
        self.bytes += skb.len
        self.packets += 1

    # --- control ---------------------------------------------------------------------

    def reset(self) -> None:
        """``->reset``: drop what is queued (the device went down)."""
        self.backlog = self.qlen = 0

    def destroy(self) -> None:
        """``->destroy``: stop timers, free the queue."""
        self.reset()

    def options(self) -> dict[str, Any] | None:
        """What ``->dump`` puts in ``TCA_OPTIONS`` (None: no such attribute)."""
        return {}

    def children(self) -> list[Qdisc]:
        """Qdiscs grafted below this one (``qdisc_hash`` members)."""
        return []


class EgressQdisc(Qdisc, ABC):
    """A qdisc packets are queued in (its ``Qdisc_ops`` have ``enqueue`` and
    ``dequeue``; ``sch_ingress`` has neither and is not one)."""

    @abstractmethod
    def enqueue(self, skb: Skb) -> bool:
        """``->enqueue``: True if queued; a refusal has dropped ``skb``."""

    @abstractmethod
    def dequeue(self) -> Skb | None:
        """``->dequeue``: the next packet the qdisc lets go, or None."""

    def transmit(self, skb: Skb) -> None:
        """``__dev_xmit_skb``: enqueue, then run the queue."""
        self.enqueue(skb)
        self.run()

    def run(self) -> None:
        """``__qdisc_run``: hand every packet the qdisc releases to the driver.
        On a device that bulk-dequeues (a veth: ``try_bulk_dequeue_skb`` has room)
        each ``qdisc_restart`` takes what it can, so a run that ends throttled
        has tried twice (two overlimits), as 6.18 counts them."""
        dev = self.dev
        bulk = dev.bulk_dequeue
        while dev.sched is self:
            skb = self.dequeue()
            if skb is None:
                return
            batch = [skb]
            while bulk and (more := self.dequeue()) is not None:
                batch.append(more)
            for s in batch:
                dev.xmit(s)


class _Fifo(EgressQdisc):
    """A FIFO with a limit (packets or bytes)."""

    def __init__(self, dev: Link, handle: int, parent: int, limit: int):
        super().__init__(dev, handle, parent)
        self.limit = limit
        self.queue: deque[Skb] = deque()
        #: When each queued packet arrived (ns), for the trace.
        self.times: deque[int] = deque()

    @abstractmethod
    def fits(self, skb: Skb) -> bool:
        """Whether ``skb`` is within the limit (packets or bytes)."""

    def enqueue(self, skb: Skb) -> bool:
        if not self.fits(skb):
            self.drop(skb, f"{self.kind}: queue full (limit {self.limit})")
            return False
        self.queue.append(skb)
        self.times.append(now_ns(self.dev))
        self.backlog += skb.len
        self.qlen += 1
        return True

    def peek(self) -> Skb | None:
        return self.queue[0] if self.queue else None

    def dequeue(self) -> Skb | None:
        if not self.queue:
            return None
        skb = self.queue.popleft()
        self.times.popleft()
        self.backlog -= skb.len
        self.qlen -= 1
        self.account(skb)
        return skb

    def reset(self) -> None:
        for skb in self.queue:
            self.dev.drop(skb, f"{self.kind}: reset")
        self.queue.clear()
        self.times.clear()
        super().reset()


class Bfifo(_Fifo):
    """``bfifo``: at most ``limit`` bytes queued (``bfifo_enqueue``)."""

    kind: ClassVar[str] = "bfifo"
    invisible: ClassVar[bool] = True

    def fits(self, skb: Skb) -> bool:
        return self.backlog + skb.len <= self.limit

    def options(self) -> dict[str, Any] | None:
        return {"limit": self.limit}


class PfifoFast(_Fifo):
    """``pfifo_fast``: the default of a device with a transmit queue.  Every
    packet the model sends has priority 0 (band 1), so one FIFO of
    ``txqueuelen`` packets shows the same behaviour."""

    kind: ClassVar[str] = "pfifo_fast"

    def __init__(self, dev: Link):
        super().__init__(dev, 0, TC_H_ROOT, max(dev.txqlen, 1))

    def fits(self, skb: Skb) -> bool:
        return self.qlen < self.limit

    def options(self) -> dict[str, Any] | None:
        return {"bands": 3, "priomap": list(PRIO2BAND)}
