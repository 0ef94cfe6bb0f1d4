"""The socket buffer: one copy of a frame in flight, with its journey so far."""

from __future__ import annotations

from typing import Any, Final, final

__all__ = [
    "PACKET_BROADCAST",
    "PACKET_HOST",
    "PACKET_MULTICAST",
    "PACKET_OTHERHOST",
    "PKT_TYPE_NAMES",
    "SKIP_CLASSIFY",
    "Skb",
    "netif_rx",
]

# skb->pkt_type, as eth_type_trans() sets it (include/uapi/linux/if_packet.h).
PACKET_HOST: Final = 0
PACKET_BROADCAST: Final = 1
PACKET_MULTICAST: Final = 2
PACKET_OTHERHOST: Final = 3

PKT_TYPE_NAMES: Final = ("host", "broadcast", "multicast", "otherhost")
#: ``Skb.redirect`` of a frame an ifb hands back (``skb->tc_skip_classify``): the
#: next ingress qdisc lets it pass once, unclassified.
SKIP_CLASSIFY: Final = (0, False)


@final
class Skb:
    """A frame (an immutable header chain) plus what the stack knows about it.

    ``len`` is the frame's length on the wire (``skb->len``), computed once.
    ``steps`` is the trace recorder's step list and ``path`` the index of this
    copy's latest step in it (see :mod:`netsim.trace`); both are ``None`` when
    the world does not record traces.
    """

    __slots__ = ("dev", "flow", "frame", "len", "nf", "path", "pkt_type", "redirect", "steps")

    def __init__(
        self,
        frame: Any,
        flow: int,
        steps: list[tuple[Any, ...]] | None,
        path: int | None,
        length: int | None = None,
    ):
        self.frame = frame
        self.flow = flow
        self.steps = steps
        self.path = path
        self.len: int = frame.wire_len if length is None else length
        self.pkt_type = PACKET_HOST
        #: The device the frame is on (``skb->dev``): set when it is handed to one.
        self.dev: Any = None
        #: Netfilter's per-packet state (conntrack entry, mark): ``skb->_nfct``/``mark``.
        self.nf: Any = None
        #: ``skb->redirected``/``from_ingress``/``skb_iif`` as a tc mirred redirect
        #: sets them: (ifindex it came in on, from ingress), or None.
        self.redirect: tuple[int, bool] | None = None

    def clone(self) -> Skb:
        """``skb_clone()``: same frame, same journey so far."""
        c = Skb(self.frame, self.flow, self.steps, self.path, self.len)
        c.nf = self.nf
        return c

    def note(self, now: float, netns: str, dev: str, action: str, detail: Any = None) -> None:
        """Append one step to the journey (a no-op when tracing is off)."""
        steps = self.steps
        if steps is not None:
            steps.append((self.path, now, netns, dev, action, detail))
            self.path = len(steps) - 1


def netif_rx(skb: Skb) -> None:
    """Receive ``skb`` on ``skb.dev`` (a calendar callback: a plain function, so
    that scheduling it allocates no bound method)."""
    skb.dev.receive(skb)
