"""The socket buffer: one copy of a frame in flight, with its journey so far."""

from __future__ import annotations

from typing import Any, Final, final

from netsim.trace import Action, Path

__all__ = ["PACKET_BROADCAST", "PACKET_HOST", "PACKET_MULTICAST", "PACKET_OTHERHOST", "Skb"]

# skb->pkt_type, as eth_type_trans() sets it (include/uapi/linux/if_packet.h).
PACKET_HOST: Final = 0
PACKET_BROADCAST: Final = 1
PACKET_MULTICAST: Final = 2
PACKET_OTHERHOST: Final = 3

PKT_TYPE_NAMES: Final = ("host", "broadcast", "multicast", "otherhost")


@final
class Skb:
    """A frame (an immutable header chain) plus what the stack knows about it.

    ``path`` is the trace chain (see :mod:`netsim.trace`); it is ``None`` when
    the world does not record traces.
    """

    __slots__ = ("flow", "frame", "path", "pkt_type")

    def __init__(self, frame: Any, flow: int, path: Path | None):
        self.frame = frame
        self.flow = flow
        self.path = path
        self.pkt_type = PACKET_HOST

    def clone(self) -> Skb:
        """``skb_clone()``: same frame, same journey so far."""
        return Skb(self.frame, self.flow, self.path)

    def note(self, now: float, netns: str, dev: str, action: Action, detail: Any = None) -> None:
        """Append one step to the journey (a no-op when tracing is off)."""
        if self.path is not None:
            self.path = (self.path, now, netns, dev, action, detail)
