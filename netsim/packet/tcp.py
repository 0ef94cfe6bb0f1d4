"""The TCP header (RFC 9293): fields only, no state machine."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final, Self, final

from netaddr import IPAddress

from netsim.packet.checksum import internet_checksum, pseudo_header_sum
from netsim.packet.errors import DecodeError, need

__all__ = [
    "IPPROTO_TCP",
    "TCP",
    "TCP_ACK",
    "TCP_CWR",
    "TCP_ECE",
    "TCP_FIN",
    "TCP_HLEN",
    "TCP_PSH",
    "TCP_RST",
    "TCP_SYN",
    "TCP_URG",
]

IPPROTO_TCP: Final = 6
TCP_HLEN: Final = 20
TCP_MAX_OPTIONS: Final = 40

TCP_FIN: Final = 0x01
TCP_SYN: Final = 0x02
TCP_RST: Final = 0x04
TCP_PSH: Final = 0x08
TCP_ACK: Final = 0x10
TCP_URG: Final = 0x20
TCP_ECE: Final = 0x40
TCP_CWR: Final = 0x80

_HEADER: Final = struct.Struct("!HHIIHHHH")


@final
@dataclass(frozen=True, slots=True)
class TCP:
    """A TCP segment: header fields, raw options and payload.

    *flags* holds the low 12 bits of the data-offset word, the eight classic
    flags (``TCP_SYN`` ...) plus the four bits above them, so that any segment
    round-trips.  *options* are the raw option bytes including padding, a
    multiple of 4.  *checksum* ``None`` is computed on encode over the
    pseudo-header (``__tcp_v4_send_check()``); decoding leaves a value there only
    when it does not match (or when no addresses were given to check it).
    """

    sport: int
    dport: int
    seq: int = 0
    ack: int = 0
    flags: int = 0
    window: int = 0
    payload: bytes = b""
    options: bytes = b""
    urgent: int = 0
    checksum: int | None = None

    @property
    def wire_len(self) -> int:
        """Bytes on the wire, header plus options plus payload, without encoding."""
        return TCP_HLEN + len(self.options) + len(self.payload)

    def encode(self, src: IPAddress | None = None, dst: IPAddress | None = None) -> bytes:
        """The segment; *src*/*dst* are needed when the checksum is computed."""
        header = self._header(0 if self.checksum is None else self.checksum)
        if self.checksum is not None:
            return header + self.payload
        if src is None or dst is None:
            raise ValueError("a computed TCP checksum needs the IPv4 src and dst")
        csum = _compute(header, self.payload, src, dst)
        return header[:16] + csum.to_bytes(2, "big") + header[18:] + self.payload

    def _header(self, csum: int) -> bytes:
        olen = len(self.options)
        if olen % 4 or olen > TCP_MAX_OPTIONS:
            raise ValueError(f"TCP options are {olen} bytes; need a multiple of 4, at most 40")
        off_flags = ((TCP_HLEN + olen) // 4) << 12 | self.flags
        return (
            _HEADER.pack(
                self.sport,
                self.dport,
                self.seq,
                self.ack,
                off_flags,
                self.window,
                csum,
                self.urgent,
            )
            + self.options
        )

    @classmethod
    def decode(
        cls, data: bytes, src: IPAddress | None = None, dst: IPAddress | None = None
    ) -> Self:
        """Parse a whole segment (the IPv4 payload); pass *src*/*dst* to check the checksum."""
        need(data, TCP_HLEN, "TCP header")
        sport, dport, seq, ack, off_flags, window, csum, urgent = _HEADER.unpack_from(data)
        hlen = (off_flags >> 12) * 4
        if hlen < TCP_HLEN:
            raise DecodeError(f"TCP data offset {hlen} bytes is below the 20-byte minimum")
        need(data, hlen, "TCP header with options")
        options = data[TCP_HLEN:hlen]
        payload = data[hlen:]
        checksum: int | None = csum
        if src is not None and dst is not None:
            header = data[:16] + b"\x00\x00" + data[18:hlen]
            if csum == _compute(header, payload, src, dst):
                checksum = None
        return cls(
            sport,
            dport,
            seq,
            ack,
            off_flags & 0x0FFF,
            window,
            payload,
            options,
            urgent,
            checksum,
        )


def _compute(header: bytes, payload: bytes, src: IPAddress, dst: IPAddress) -> int:
    length = len(header) + len(payload)
    pseudo = pseudo_header_sum(int(src), int(dst), IPPROTO_TCP, length)
    return internet_checksum(header + payload, pseudo)
