"""The link watcher (``net/core/link_watch.c``): when operstates change.

A carrier change only queues the device.  The queue is worked off later:

* an *urgent* event (the device is running and sits on another device, as a
  veth end does, or its carrier came back) is handled as soon as the request
  that caused it has finished;
* any other event (a device that is down, a bridge losing carrier) waits for
  the next full run, at most one per second (``linkwatch_nextevent``); an
  urgent-only run in between puts it back at the tail of the queue.

So, as on a real kernel, a veth created less than a second after another
change may still report its registration-time operstate when it is set up
at once, and a script that sleeps a second sees the settled state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from netsim.engine import Timer
from netsim.kernel.links.base import Link, NetdevEvent

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel

__all__ = ["LINKWATCH_INTERVAL", "LinkWatch"]

#: ``HZ``: full runs of the queue are at least this far apart.
LINKWATCH_INTERVAL: Final = 1.0


def urgent_event(dev: Link) -> bool:
    """``linkwatch_urgent_event()``."""
    if not dev.up:
        return False
    if dev.ifindex != dev.iflink():
        return True
    return dev.carrier  # carrier back on: the qdisc must be reactivated at once


class LinkWatch:
    """The queue of devices whose operstate must be recomputed."""

    def __init__(self, kernel: Kernel):
        self.kernel = kernel
        self.events: list[Link] = []
        self.nextevent = float("-inf")
        self._due = False  # run when the current request finishes
        self._urgent_only = True
        self._timer: Timer | None = None

    def fire_event(self, dev: Link) -> None:
        """``linkwatch_fire_event()``."""
        if not dev.registered:
            return
        urgent = urgent_event(dev)
        if dev not in self.events:
            self.events.append(dev)
        elif not urgent:
            return
        self._schedule(urgent)

    def _schedule(self, urgent: bool) -> None:
        """``linkwatch_schedule_work()``."""
        now = self.kernel.engine.now
        if urgent or self.nextevent <= now:
            self._due = True
            self._urgent_only = self._urgent_only and urgent
            return
        if self._timer is None:
            self._timer = self.kernel.engine.timer(self.nextevent - now, self._timer_run)

    def _timer_run(self) -> None:
        self._timer = None
        self.run(urgent_only=False)

    def end_of_request(self) -> None:
        """Work the queue if an event asked for it (after ``rtnl_unlock``)."""
        while self._due:
            urgent_only = self._urgent_only and self.nextevent > self.kernel.engine.now
            self._due, self._urgent_only = False, True
            self.run(urgent_only=urgent_only)

    def sync_dev(self, dev: Link) -> None:
        """``linkwatch_sync_dev()`` (``rtnl_getlink()``, ``carrier_show()``): the
        device's pending event handled now, out of turn."""
        if dev in self.events:
            self.events.remove(dev)
            self._do_dev(dev)

    def _do_dev(self, dev: Link) -> None:
        """``linkwatch_do_dev()``."""
        dev.operstate = dev.default_operstate()  # rfc2863_policy()
        if dev.up:
            self.kernel.notify(NetdevEvent.CHANGE, dev)

    def run(self, *, urgent_only: bool) -> None:
        """``__linkwatch_run_queue()``."""
        if not urgent_only:
            self.nextevent = self.kernel.engine.now + LINKWATCH_INTERVAL
        work, self.events = self.events, []
        while work:
            dev = work.pop(0)
            if not dev.registered:
                continue
            if urgent_only and not urgent_event(dev):
                self.events.append(dev)
                continue
            self._do_dev(dev)
        if self.events:
            self._schedule(False)
