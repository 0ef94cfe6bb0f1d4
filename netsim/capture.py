"""Packet capture to pcap files, as ``tcpdump -i DEV -w FILE`` sees a device.

A :class:`Capture` on a device records every frame the device transmits
(``dev_queue_xmit_nit``) and every frame it receives, before any bridge or
macvlan handler takes it (``__netif_receive_skb`` delivers to packet taps
first).  On a namespace it does so for each of the namespace's devices at the
time, as ``tcpdump -i any`` does (a frame crossing two of them is recorded
twice).

Capturing costs nothing while it is off: a captured device's ``xmit`` and
``receive`` are wrapped for the capture's lifetime only, and frames are
encoded to bytes only when the file is written.  Timestamps are simulated
time, so the same seed writes the same file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

if TYPE_CHECKING:
    from netsim.engine import Engine
    from netsim.kernel.links.base import Link
    from netsim.kernel.skb import Skb

__all__ = ["LINKTYPE_ETHERNET", "Capture"]

#: pcap's ``LINKTYPE_ETHERNET``.
LINKTYPE_ETHERNET: Final = 1
#: pcap with nanosecond timestamps (libpcap's ``NSEC_TCPDUMP_MAGIC``).
_MAGIC_NSEC: Final = 0xA1B23C4D
_SNAPLEN: Final = 262144


@final
class Capture:
    """Frames seen on some devices, in the order they were seen."""

    def __init__(self, engine: Engine, devices: Iterable[Link]):
        self._engine = engine
        #: (time, device name, "out" | "in", frame object): encoded on :meth:`write`.
        self.records: list[tuple[float, str, str, Any]] = []
        self._hooked: list[Link] = []
        for dev in devices:
            self._hook(dev)

    def _hook(self, dev: Link) -> None:
        xmit, receive = dev.xmit, dev.receive
        records, engine, name = self.records, self._engine, dev.ifname

        def captured_xmit(skb: Skb) -> None:
            records.append((engine.now, name, "out", skb.frame))
            xmit(skb)

        def captured_receive(skb: Skb) -> None:
            records.append((engine.now, name, "in", skb.frame))
            receive(skb)

        setattr(dev, "xmit", captured_xmit)  # noqa: B010 - shadows the method for this device only
        setattr(dev, "receive", captured_receive)  # noqa: B010
        self._hooked.append(dev)

    @property
    def running(self) -> bool:
        return bool(self._hooked)

    def stop(self) -> Capture:
        """Stop recording (the frames so far stay)."""
        for dev in self._hooked:
            vars(dev).pop("xmit", None)
            vars(dev).pop("receive", None)
        self._hooked = []
        return self

    def __enter__(self) -> Capture:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __len__(self) -> int:
        return len(self.records)

    def pcap(self, *, where: Callable[[str, str], bool] | None = None) -> bytes:
        """The capture as a pcap file (nanosecond timestamps, Ethernet).

        ``where(device, direction)`` keeps only some records.
        """
        out = [struct.pack("<IHHiIII", _MAGIC_NSEC, 2, 4, 0, 0, _SNAPLEN, LINKTYPE_ETHERNET)]
        for t, dev, direction, frame in self.records:
            if where is not None and not where(dev, direction):
                continue
            data = frame.encode()
            ns = round(t * 1e9)
            cap = data[:_SNAPLEN]
            out.append(struct.pack("<IIII", ns // 10**9, ns % 10**9, len(cap), len(data)) + cap)
        return b"".join(out)

    def write(self, path: str | Path, **kw: Any) -> Path:
        """Write the pcap file; returns its path."""
        p = Path(path)
        p.write_bytes(self.pcap(**kw))
        return p
