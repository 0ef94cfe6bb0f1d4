"""The ingress qdisc, the u32 classifier and the mirred action
(``net/sched/sch_ingress.c``, ``cls_u32.c``, ``act_mirred.c``), as far as
they redirect received traffic to an ``ifb`` device.

* :meth:`Ingress.classify` is ``sch_handle_ingress`` → ``tcf_classify``: it
  runs before a bridge or VLAN takes a received frame; it counts every frame
  (its length without the Ethernet header, as the skb has it there), then the
  filters in preference order; the first whose keys match runs its actions.
* u32 here matches with ``val/mask`` keys at network-header offsets; only the
  match-all key (``match u32 0 0``) is modelled.
* mirred ``egress redirect`` puts the Ethernet header back and queues the
  frame on the target device's root qdisc, marked as redirected from
  ingress; a target that is gone or down makes the action ``TC_ACT_SHOT``
  (the frame is dropped and the ingress qdisc counts a drop).  Control
  ``stolen`` ends the action list; ``pass`` redirects a copy and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Final

from netsim.kernel.links.base import ETH_HLEN
from netsim.kernel.sched.qdisc import TC_H_INGRESS, Qdisc
from netsim.trace import REDIRECTED

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = [
    "ETH_P_ALL",
    "TCA_EGRESS_MIRROR",
    "TCA_EGRESS_REDIR",
    "TC_ACT",
    "Ingress",
    "Mirred",
    "U32Filter",
    "U32Key",
]

ETH_P_ALL: Final = 0x0003
TCA_EGRESS_REDIR: Final = 1
TCA_EGRESS_MIRROR: Final = 2
TCA_INGRESS_REDIR: Final = 3
TCA_INGRESS_MIRROR: Final = 4
#: tc action control verdicts (``TC_ACT_*``) by ``tc``'s names.
TC_ACT: Final = {"continue": -1, "pass": 0, "ok": 0, "reclassify": 1, "drop": 2, "shot": 2,
                 "pipe": 3, "stolen": 4, "trap": 8}  # fmt: skip
TC_ACT_OK: Final = 0
TC_ACT_SHOT: Final = 2
TC_ACT_PIPE: Final = 3
TC_ACT_STOLEN: Final = 4
#: ``TC_U32_TERMINAL``: the selector's flag for a leaf that classifies.
TC_U32_TERMINAL: Final = 1


@dataclass(eq=False)
class Mirred:
    """One ``mirred`` action (``struct tcf_mirred``): ``index`` in its namespace's
    action table, the target device (``None`` once it is unregistered:
    ``mirred_device_event``), the direction and the control verdict."""

    index: int
    eaction: int
    target: Link | None
    action: int = TC_ACT_STOLEN
    refcnt: int = 1
    bindcnt: int = 1
    bytes: int = 0
    packets: int = 0
    overlimits: int = 0
    drops: int = 0
    #: ``tcf_t``: when it was made, last used and first used (simulated seconds).
    install: float = 0.0
    lastuse: float = 0.0
    firstuse: float | None = None

    def tm(self, now: float) -> dict[str, int]:
        """``tcf_tm_dump``: ages in ``clock_t`` (1/100 s) ticks (firstuse 0: never)."""
        first = 0 if self.firstuse is None else int((now - self.firstuse) * 100)
        return {"install": int((now - self.install) * 100),
                "lastuse": int((now - self.lastuse) * 100), "firstuse": first}  # fmt: skip

    @property
    def ifindex(self) -> int:
        """``opt.ifindex`` of the dump: 0 once the device is gone."""
        return self.target.ifindex if self.target is not None else 0

    def act(self, dev: Link, skb: Skb) -> int:
        """``tcf_mirred_act`` for an egress mirror/redirect of a received frame."""
        self.bytes += skb.len - ETH_HLEN
        self.packets += 1
        now = dev.kernel.engine.now
        self.lastuse = now
        if self.firstuse is None:
            self.firstuse = now
        target = self.target
        redirect = self.eaction in (TCA_EGRESS_REDIR, TCA_INGRESS_REDIR)
        if target is None or not target.registered or not target.up or not target.carrier:
            self.overlimits += 1
            name = target.ifname if target is not None else "(gone)"
            if redirect:
                dev.drop(skb, f"mirred: device {name} is down")
                return TC_ACT_SHOT
            return self.action
        copy = skb if redirect and self.action in (TC_ACT_STOLEN, TC_ACT_SHOT) else skb.clone()
        copy.redirect = (dev.ifindex, True)
        ns = dev.netns
        copy.note(dev.kernel.engine.now, ns.name if ns else "-", dev.ifname, REDIRECTED,
                  f"mirred to {target.ifname}")  # fmt: skip
        target.queue_xmit(copy)
        return self.action


@dataclass(frozen=True)
class U32Key:
    """``struct tc_u32_key``: ``(packet[off] & mask) == val`` (big-endian words)."""

    val: int = 0
    mask: int = 0
    off: int = 0
    offmask: int = 0


@dataclass(eq=False)
class U32Filter:
    """One u32 filter node in a preference's root hash table (``800:``)."""

    prio: int
    protocol: int
    handle: int
    htid: int
    keys: tuple[U32Key, ...]
    flags: int = TC_U32_TERMINAL
    classid: int = 0
    actions: list[Mirred] = field(default_factory=list)
    chain: int = 0

    def matches(self, skb: Skb) -> bool:
        if self.protocol not in (ETH_P_ALL, getattr(skb.frame, "ethertype", -1)):
            return False
        return all(k.mask == 0 for k in self.keys)


class Ingress(Qdisc):
    """``ingress`` (``ffff:``, parent ``ffff:fff1``): holds the ingress filters."""

    kind: ClassVar[str] = "ingress"

    def __init__(self, dev: Link):
        super().__init__(dev, 0xFFFF0000, TC_H_INGRESS)
        self.filters: list[U32Filter] = []
        #: ``block->classid``: the parent the last filter was added under.
        self.block_classid = self.handle

    def options(self) -> dict[str, Any] | None:
        return {}

    def classify(self, skb: Skb) -> bool:
        """``sch_handle_ingress``: True when the frame was taken (redirected or dropped)."""
        dev = self.dev
        self.bytes += skb.len - ETH_HLEN
        self.packets += 1
        for f in self.filters:
            if not f.matches(skb):
                continue
            for a in f.actions:
                verdict = a.act(dev, skb)
                if verdict == TC_ACT_SHOT:
                    self.drops += 1
                    return True
                if verdict == TC_ACT_STOLEN:
                    return True
                if verdict != TC_ACT_PIPE:
                    return False
            return False
        return False

    def destroy(self) -> None:
        """The filters and their actions go with the qdisc (``tcf_block_put``)."""
        for f in self.filters:
            for a in f.actions:
                a.refcnt -= 1
                a.bindcnt -= 1
        self.filters.clear()
