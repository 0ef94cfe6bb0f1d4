"""The bridge forwarding database (``net/bridge/br_fdb.c``).

Entry kinds, by the kernel's flag bits:

* *local* (``BR_FDB_LOCAL`` + ``BR_FDB_STATIC``): a MAC of a port or of the
  bridge itself; frames to it go up the bridge's own stack; shown
  ``permanent``;
* *static* (``BR_FDB_STATIC``): a user entry that never ages (``static``);
* *dynamic*: learned from a frame's source, or added by the user as
  ``dynamic``; removed once ``ageing_time`` has passed since it was last
  refreshed (``has_expired``).

Ageing runs as ``br_fdb_cleanup`` does: one timer per bridge, started 0.1 s
after the bridge goes up, then due at the earliest expiry or one ageing time
later, never sooner than 10 ms after the last run, and only while the bridge
is up.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, final

from netsim.addr import MacAddr
from netsim.engine import Timer
from netsim.errors import KernelError

if TYPE_CHECKING:
    from netsim.kernel.bridge.device import Bridge
    from netsim.kernel.bridge.port import BridgePort

__all__ = ["Fdb", "FdbEntry"]

#: ``br_fdb_cleanup`` reschedules itself no sooner than this (``msecs_to_jiffies(10)``).
GC_MIN_INTERVAL: Final = 0.01

# ndm_state values (include/uapi/linux/neighbour.h) used by `bridge fdb`.
NUD_REACHABLE: Final = 0x02
NUD_STALE: Final = 0x04
NUD_NOARP: Final = 0x40
NUD_PERMANENT: Final = 0x80


@final
class FdbEntry:
    """``struct net_bridge_fdb_entry``; ``dst`` is ``None`` for the bridge's own MAC."""

    __slots__ = ("added_by_user", "dst", "is_local", "is_static", "mac", "updated", "used")

    def __init__(
        self,
        mac: MacAddr,
        dst: BridgePort | None,
        now: float,
        *,
        is_local: bool = False,
        is_static: bool = False,
    ):
        self.mac = mac
        self.dst = dst
        self.is_local = is_local
        self.is_static = is_static
        self.added_by_user = False
        self.updated = now
        self.used = now

    def __repr__(self) -> str:
        dev = self.dst.dev.ifname if self.dst else "(bridge)"
        return f"<FdbEntry {self.mac} dev {dev} {self.state or 'dynamic'}>"

    @property
    def state(self) -> str:
        """What ``bridge fdb show`` prints: ``permanent``, ``static`` or nothing."""
        if self.is_local:
            return "permanent"
        return "static" if self.is_static else ""


@final
class Fdb:
    """One bridge's FDB (VLAN filtering is off: every key has vid 0)."""

    def __init__(self, br: Bridge):
        self.br = br
        #: MAC -> entry (``br->fdb_hash_tbl``), read directly by the forwarding path.
        self.entries: dict[int, FdbEntry] = {}
        self._gc: Timer | None = None

    def __iter__(self) -> Iterator[FdbEntry]:
        """Entries newest first, as the kernel's ``fdb_list`` (``hlist_add_head``) holds them."""
        return reversed(list(self.entries.values()))

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, mac: MacAddr) -> FdbEntry | None:
        """``br_fdb_find()``."""
        return self.entries.get(mac)

    @property
    def _now(self) -> float:
        return self.br.kernel.engine.now

    def _create(self, mac: MacAddr, dst: BridgePort | None, **flags: bool) -> FdbEntry:
        e = self.entries[mac] = FdbEntry(mac, dst, self._now, **flags)
        if not e.is_static:
            self.schedule_gc()
        return e

    def _delete(self, e: FdbEntry) -> None:
        del self.entries[e.mac]

    # --- learning -------------------------------------------------------------------

    def learn(self, source: BridgePort, mac: MacAddr, now: float) -> None:
        """``fdb_create()`` from ``br_fdb_update()``: a new dynamic entry.

        (Refreshing an existing entry is inlined in the forwarding path.)
        """
        self.entries[mac] = FdbEntry(mac, source, now)
        if self._gc is None:
            self.schedule_gc()

    # --- local entries ----------------------------------------------------------------

    def add_local(self, source: BridgePort | None, mac: MacAddr) -> None:
        """``fdb_add_local()``: a MAC that terminates on this bridge."""
        if not mac.is_valid_ether:
            return
        e = self.entries.get(mac)
        if e is not None:
            if e.is_local:
                return  # several ports may share a MAC: the first one keeps it
            self._delete(e)
        self._create(mac, source, is_local=True, is_static=True)

    def delete_local(self, p: BridgePort | None, e: FdbEntry) -> None:
        """``fdb_delete_local()``: hand the MAC to another owner, or delete it."""
        for op in self.br.ports:
            if op is not p and op.dev.address == e.mac:
                e.dst, e.added_by_user = op, False
                return
        if p is not None and self.br.address == e.mac:
            e.dst, e.added_by_user = None, False
            return
        self._delete(e)

    def delete_by_port(self, p: BridgePort | None, *, do_all: bool) -> None:
        """``br_fdb_delete_by_port()``: flush what points at ``p`` (static too if ``do_all``)."""
        for e in [e for e in self.entries.values() if e.dst is p]:
            if not do_all and e.is_static:
                continue
            if e.is_local:
                self.delete_local(p, e)
            else:
                self._delete(e)

    def change_mac_address(self, new: MacAddr) -> None:
        """``br_fdb_change_mac_address()``: the bridge's own MAC changed to ``new``."""
        e = self.entries.get(self.br.address)
        if e is not None and e.is_local and e.dst is None and not e.added_by_user:
            self.delete_local(None, e)
        self.add_local(None, new)

    def changeaddr(self, p: BridgePort, new: MacAddr) -> None:
        """``br_fdb_changeaddr()``: a port's MAC changed to ``new``."""
        for e in list(self.entries.values()):
            if e.dst is p and e.is_local and not e.added_by_user:
                self.delete_local(p, e)
                break
        self.add_local(p, new)

    # --- user requests (`bridge fdb add|replace|del ... master`) --------------------------------

    def user_add(
        self,
        p: BridgePort | None,
        mac: MacAddr,
        state: int = NUD_PERMANENT,
        *,
        create: bool = True,
        excl: bool = True,
    ) -> None:
        """``fdb_add_entry()``; ``state`` is PERMANENT (local), NOARP (static) or REACHABLE."""
        if not state & (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE):
            raise KernelError(errno.EINVAL)
        if p is None and not state & NUD_PERMANENT:
            raise KernelError(errno.EINVAL)
        if mac.is_zero:
            raise KernelError(errno.EINVAL)
        e = self.entries.get(mac)
        if e is None:
            if not create:
                raise KernelError(errno.ENOENT)
            e = self._create(mac, p)
        else:
            if excl:
                raise KernelError(errno.EEXIST)
            e.dst = p
        e.is_local = bool(state & NUD_PERMANENT)
        e.is_static = bool(state & (NUD_PERMANENT | NUD_NOARP))
        e.added_by_user = True
        e.used = e.updated = self._now
        if not e.is_static:
            self.schedule_gc()

    def user_del(self, p: BridgePort | None, mac: MacAddr) -> None:
        """``fdb_delete_by_addr_and_port()``."""
        e = self.entries.get(mac)
        if e is None or e.dst is not p:
            raise KernelError(errno.ENOENT)
        self._delete(e)

    def flush(self) -> None:
        """``br_fdb_flush()``: every dynamic entry (``bridge fdb flush`` default)."""
        for e in [e for e in self.entries.values() if not e.is_static]:
            self._delete(e)

    # --- ageing ------------------------------------------------------------------------

    def expired(self, e: FdbEntry, now: float) -> bool:
        """``has_expired()``."""
        return not e.is_static and e.updated + self.br.ageing_time <= now

    def schedule_gc(self) -> None:
        """Make sure the cleanup timer runs by the next expiry (bridge up only)."""
        if not self.br.up:
            return
        due = min((e.updated for e in self.entries.values() if not e.is_static), default=None)
        if due is None:
            return
        delay = max(due + self.br.ageing_time - self._now, GC_MIN_INTERVAL)
        if self._gc is not None:
            if self._gc.when <= self._now + delay:
                return
            self._gc.cancel()
        self._gc = self.br.kernel.engine.timer(delay, self._cleanup)

    def start_gc(self, delay: float) -> None:
        """``mod_delayed_work(&br->gc_work, delay)``: ``br_stp_enable_bridge()``
        starts it 0.1 s after the bridge goes up; a new ageing time runs it now."""
        self.stop_gc()
        if self.br.up:
            self._gc = self.br.kernel.engine.timer(delay, self._cleanup)

    def stop_gc(self) -> None:
        if self._gc is not None:
            self._gc.cancel()
            self._gc = None

    def gc_remaining(self) -> float:
        """What ``ip -d link`` shows as ``gc_timer``: seconds until the next run."""
        return max(self._gc.when - self._now, 0.0) if self._gc is not None else 0.0

    def _cleanup(self) -> None:
        """``br_fdb_cleanup()``: delete what has expired, then run again at the
        earliest expiry, or one ageing time on (never sooner than 10 ms)."""
        self._gc = None
        now = self._now
        ageing = self.br.ageing_time
        delay = ageing
        for e in list(self.entries.values()):
            if e.is_static:
                continue
            if self.expired(e, now):
                self._delete(e)
            else:
                delay = min(delay, e.updated + ageing - now)
        if self.br.up:
            self._gc = self.br.kernel.engine.timer(max(delay, GC_MIN_INTERVAL), self._cleanup)
