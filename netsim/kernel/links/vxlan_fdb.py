"""The VXLAN forwarding database (``drivers/net/vxlan/vxlan_core.c``).

A VTEP's FDB maps an inner MAC to one or more remote VTEPs (``struct
vxlan_rdst``: IP, UDP port, VNI, outgoing ifindex).  As 6.18 does it:

* entries are listed newest first (``fdb_list`` is an ``hlist_add_head``);
  an entry's remotes in the order they were added (``list_add_tail``);
* ``add`` on an existing MAC is ``EEXIST``; ``append`` adds a remote (a
  remote already there is a silent no-op); ``replace`` rewrites the first
  remote in place, or creates the entry;
* ``del`` with a ``dst`` removes that remote (the entry when it was the
  last); a ``dst`` the entry does not have is a silent no-op; no entry is
  ``ENOENT``;
* the all-zeros MAC is the default destination: broadcast, multicast and
  unknown unicast are sent to each of its remotes (head-end replication);
* learning (``vxlan_snoop``) installs ``NUD_REACHABLE`` entries and moves a
  MAC to a new remote, except a static or permanent one (the packet is then
  dropped);
* ageing (``vxlan_cleanup``): every 10 s, or at the earliest expiry if
  sooner, entries neither permanent nor static whose ``updated`` is
  ``ageing`` seconds old are removed; only while the device is up;
* going down (``vxlan_stop`` → ``vxlan_flush``) removes every entry that is
  neither permanent nor static.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, final

from netsim.addr import MacAddr
from netsim.engine import Timer
from netsim.errors import KernelError

if TYPE_CHECKING:
    from netsim.kernel.links.vxlan import Vxlan

__all__ = ["ALL_ZEROS", "FDB_AGE_INTERVAL", "VxlanFdb", "VxlanFdbEntry", "VxlanRdst"]

#: ``all_zeros_mac``: the default-destination entry's key.
ALL_ZEROS: Final = MacAddr(0)
#: ``FDB_AGE_INTERVAL``: how often ``vxlan_cleanup`` runs at the latest.
FDB_AGE_INTERVAL: Final = 10.0

NUD_REACHABLE: Final = 0x02
NUD_NOARP: Final = 0x40
NUD_PERMANENT: Final = 0x80
_STATIC: Final = NUD_PERMANENT | NUD_NOARP


@final
@dataclass(frozen=True, slots=True)
class VxlanRdst:
    """``struct vxlan_rdst``: one remote VTEP of an entry.

    ``port`` and ``vni`` are always filled in (the device's ``dstport`` and
    ``id`` when not given); ``ifindex`` is 0 unless ``via DEV`` was.
    """

    ip: int
    port: int
    vni: int
    ifindex: int = 0


@final
class VxlanFdbEntry:
    """``struct vxlan_fdb``: a MAC and where frames to it go."""

    __slots__ = ("flags", "mac", "remotes", "state", "updated", "used")

    def __init__(self, mac: MacAddr, state: int, flags: tuple[str, ...], now: float):
        self.mac = mac
        self.state = state
        #: ``ndm_flags`` as given (``self``, plus ``master`` when both were asked for).
        self.flags = flags
        self.remotes: list[VxlanRdst] = []
        self.updated = now
        self.used = now

    def __repr__(self) -> str:
        dsts = ",".join(str(r.ip) for r in self.remotes)
        return f"<VxlanFdbEntry {self.mac} dst {dsts} state {self.state:#x}>"

    @property
    def static(self) -> bool:
        """Neither learned nor ageing: ``NUD_PERMANENT`` or ``NUD_NOARP``."""
        return bool(self.state & _STATIC)


@final
class VxlanFdb:
    """One VTEP's FDB."""

    def __init__(self, dev: Vxlan):
        self.dev = dev
        #: MAC -> entry, oldest first (the dump reverses it).
        self.entries: dict[MacAddr, VxlanFdbEntry] = {}
        self._gc: Timer | None = None

    def __iter__(self) -> Iterator[VxlanFdbEntry]:
        """Entries newest first, as ``vxlan_fdb_dump`` walks ``fdb_list``."""
        return reversed(list(self.entries.values()))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def _now(self) -> float:
        return self.dev.kernel.engine.now

    def find(self, mac: MacAddr) -> VxlanFdbEntry | None:
        """``vxlan_find_mac()``."""
        return self.entries.get(mac)

    # --- user requests (rtnl) --------------------------------------------------------------

    def update(self, mac: MacAddr, rdst: VxlanRdst, state: int, flags: tuple[str, ...], *,
               create: bool, excl: bool, replace: bool, append: bool) -> None:  # fmt: skip
        """``vxlan_fdb_update()``: the ``NLM_F_*`` combinations ``bridge fdb`` sends."""
        f = self.entries.get(mac)
        if f is not None:
            if excl:
                raise KernelError(errno.EEXIST)
            group = mac == ALL_ZEROS or mac.is_multicast
            if f.state != state:
                f.state, f.updated = state, self._now
            f.flags = flags
            if replace:
                if group:  # "only change unicasts"
                    raise KernelError(errno.EOPNOTSUPP, "Cannot replace non-unicast fdb entries")
                if f.remotes and rdst not in f.remotes:
                    f.remotes[0] = rdst
            if append and group and rdst not in f.remotes:
                f.remotes.append(rdst)
            return
        if not create:
            raise KernelError(errno.ENOENT)
        limit = self.dev.cfg.addrmax
        if limit and len(self.entries) >= limit:
            raise KernelError(errno.ENOSPC)
        self._create(mac, rdst, state, flags)

    def _create(self, mac: MacAddr, rdst: VxlanRdst, state: int, flags: tuple[str, ...]) -> None:
        f = self.entries[mac] = VxlanFdbEntry(mac, state, flags, self._now)
        f.remotes.append(rdst)
        if not f.static:
            self.schedule_gc()

    def delete(self, mac: MacAddr, ip: int | None, port: int, vni: int, ifindex: int) -> None:
        """``__vxlan_fdb_delete()``: one remote when ``ip`` is given, else the entry."""
        f = self.entries.get(mac)
        if f is None:
            raise KernelError(errno.ENOENT)
        if ip is None:
            del self.entries[mac]
            return
        rd = VxlanRdst(ip, port, vni, ifindex)
        if rd not in f.remotes:
            return
        if len(f.remotes) == 1:
            del self.entries[mac]
            return
        f.remotes.remove(rd)

    def default_dst(self, rdst: VxlanRdst | None) -> None:
        """The all-zeros entry that ``remote`` / ``group`` installs (``vxlan_dev_configure``)."""
        if rdst is None:
            return
        f = self.entries.get(ALL_ZEROS)
        if f is None:
            self._create(ALL_ZEROS, rdst, NUD_REACHABLE | NUD_PERMANENT, ("self",))
        elif rdst not in f.remotes:
            f.remotes.append(rdst)

    def change_default_dst(self, old: VxlanRdst | None, new: VxlanRdst | None) -> None:
        """``vxlan_changelink()`` with a new ``remote``: the old remote leaves the
        all-zeros entry, the new one is appended to it."""
        f = self.entries.get(ALL_ZEROS)
        if old is not None and f is not None and old in f.remotes:
            if len(f.remotes) == 1:
                del self.entries[ALL_ZEROS]
            else:
                f.remotes.remove(old)
        self.default_dst(new)

    # --- the data path ---------------------------------------------------------------------------

    def snoop(self, mac: MacAddr, ip: int) -> bool:
        """``vxlan_snoop()``: learn ``mac`` behind ``ip``; ``True`` means drop the packet."""
        now = self._now
        f = self.entries.get(mac)
        if f is not None:
            f.updated = now
            first = f.remotes[0]
            if first.ip == ip and first.ifindex == 0:
                return False
            if f.static:  # "don't migrate static entries, drop packets"
                return True
            f.remotes[0] = VxlanRdst(ip, first.port, first.vni, 0)
            return False
        if not self.dev.up:
            return False
        cfg = self.dev.cfg
        if cfg.addrmax and len(self.entries) >= cfg.addrmax:
            return False
        self._create(mac, VxlanRdst(ip, cfg.dst_port, cfg.vni), NUD_REACHABLE, ("self",))
        return False

    # --- ageing and flushing ---------------------------------------------------------------------

    def schedule_gc(self) -> None:
        """Arm ``age_timer`` (only while up): at the earliest expiry, 10 s at most."""
        if not self.dev.up or self._gc is not None:
            return
        self._gc = self.dev.kernel.engine.timer(FDB_AGE_INTERVAL, self._cleanup)

    def stop_gc(self) -> None:
        if self._gc is not None:
            self._gc.cancel()
            self._gc = None

    def _cleanup(self) -> None:
        """``vxlan_cleanup()``: remove what has expired; run again at the next expiry."""
        self._gc = None
        now = self._now
        age = self.dev.cfg.ageing
        next_timer = now + FDB_AGE_INTERVAL
        for f in list(self.entries.values()):
            if f.static:
                continue
            timeout = f.updated + age
            if timeout <= now:
                del self.entries[f.mac]
            elif timeout < next_timer:
                next_timer = timeout
        if self.dev.up:
            self._gc = self.dev.kernel.engine.timer(next_timer - now, self._cleanup)

    def flush_dynamic(self) -> None:
        """``vxlan_flush()`` from ``vxlan_stop()``: keep only permanent and static entries."""
        for f in list(self.entries.values()):
            if not f.static:
                del self.entries[f.mac]
