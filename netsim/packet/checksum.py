"""The Internet checksum (RFC 1071) and the IPv4 pseudo-header sum (RFC 768, RFC 9293).

The same arithmetic as the kernel's ``csum_partial()`` + ``csum_fold()``: a
16-bit ones' complement sum with end-around carry, complemented at the end.
The buffer is read as one big-endian integer and reduced modulo 0xFFFF: since
2**16 = 1 (mod 0xFFFF) that is the sum of its 16-bit words with the carries
folded back in, computed in C instead of a Python loop.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "internet_checksum",
    "ones_complement_sum",
    "pseudo_header_sum",
]

_MASK: Final = 0xFFFF


def _fold(n: int) -> int:
    """Fold a non-negative sum to 16 bits with end-around carry.

    Ones' complement addition never turns a non-zero sum into +0, so any
    non-zero input that is a multiple of 0xFFFF folds to 0xFFFF (-0), as
    ``csum_fold()`` gives.
    """
    s = n % _MASK
    return _MASK if s == 0 and n != 0 else s


def ones_complement_sum(data: bytes, initial: int = 0) -> int:
    """The folded 16-bit ones' complement sum of *data* plus the partial sum *initial*.

    An odd trailing octet is padded with a zero octet on the right (RFC 1071
    section 4.1).  Not complemented: feed it to another call as *initial*.
    """
    if len(data) & 1:
        data += b"\x00"
    return _fold(int.from_bytes(data, "big") + initial)


def internet_checksum(data: bytes, initial: int = 0) -> int:
    """The checksum field value for *data* (with its checksum field zeroed): ``~sum``."""
    return ~ones_complement_sum(data, initial) & _MASK


def pseudo_header_sum(src: int, dst: int, proto: int, length: int) -> int:
    """Partial sum of the IPv4 pseudo-header: src, dst, zero, protocol, L4 length.

    What ``csum_tcpudp_nofold()`` adds for UDP (RFC 768) and TCP (RFC 9293
    section 3.1); *src* and *dst* are the addresses as 32-bit integers.
    """
    return _fold(src + dst + proto + length)
