"""Addresses in rule specifications, for iptables (IPv4) and ip6tables (IPv6):
``xtables_ipparse_multiple()`` / ``xtables_ip6parse_multiple()`` (numeric
hosts only, no DNS), how ``-S`` prints ``-s``/``-d`` (``addr/plen``, or
``addr/mask`` for a mask that is no prefix), and the ``--to-destination`` /
``--to-source`` address of a NAT target (``libxt_DNAT.c: parse_to()``: IPv6
as ``[addr]:port``)."""

from __future__ import annotations

import ipaddress
from typing import Final

__all__ = ["ALL_ONES", "AddrSyntaxError", "cidr", "host", "parse_net", "parse_to"]

#: The all-ones mask of each family.
ALL_ONES: Final = {False: 0xFFFFFFFF, True: (1 << 128) - 1}


class AddrSyntaxError(Exception):
    """An address iptables refuses (its message, after ``iptables v1.8.9 (nf_tables): ``)."""


def _numeric(text: str, v6: bool) -> int | None:
    if not v6:
        parts = text.split(".")
        if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
            return None
        return sum(int(p) << s for p, s in zip(parts, (24, 16, 8, 0), strict=True))
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:
        return None


def parse_net(text: str, *, v6: bool = False) -> tuple[int, int]:
    """One entry of ``-s``/``-d``: (network, mask), the host bits cleared."""
    addr, _, plen = text.partition("/")
    a = _numeric(addr, v6)
    if a is None:
        raise AddrSyntaxError(f"host/network `{addr}' not found")
    width = 128 if v6 else 32
    ones = ALL_ONES[v6]
    if not plen:
        mask = ones
    elif plen.isdigit() and int(plen) <= width:
        mask = (ones << (width - int(plen))) & ones
    elif (":" if v6 else ".") in plen and (m := _numeric(plen, v6)) is not None:
        mask = m
    else:
        raise AddrSyntaxError(f"invalid mask `{plen}' specified")
    return a & mask, mask


def host(a: int, *, v6: bool = False) -> str:
    """``xtables_ipaddr_to_numeric()`` / ``xtables_ip6addr_to_numeric()``."""
    if v6:
        return str(ipaddress.IPv6Address(a))
    return ".".join(str(a >> s & 255) for s in (24, 16, 8, 0))


def cidr(net: tuple[int, int], *, v6: bool = False) -> str:
    """``addr/plen`` as ``-S`` prints it (``addr/mask`` for a non-prefix mask)."""
    a, m = net
    width = 128 if v6 else 32
    plen = bin(m).count("1")
    if m == (ALL_ONES[v6] << (width - plen)) & ALL_ONES[v6]:
        return f"{host(a, v6=v6)}/{plen}"
    return f"{host(a, v6=v6)}/{host(m, v6=v6)}"


def parse_to(text: str, *, v6: bool = False) -> tuple[int, str]:
    """``--to-destination``/``--to-source``: the address (0 if none) and the port
    part (``""`` if none).  IPv6 takes a port only inside brackets:
    ``[2001:db8::2]:80``."""
    if not v6:
        addr, _, ports = text.partition(":")
        if not addr:
            return 0, ports
        a = _numeric(addr, False)
        if a is None:
            raise AddrSyntaxError(f'Bad IP address "{addr}"')
        return a, ports
    ports = ""
    addr = text
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise AddrSyntaxError("Invalid address format")
        addr, rest = text[1:end], text[end + 1 :]
        if rest.startswith(":"):  # anything else after "]" is ignored, as 1.8.9 does
            ports = rest[1:]
    if not addr:
        return 0, ports
    a = _numeric(addr, True)
    if a is None:
        raise AddrSyntaxError(f'Bad IP address "{addr}"')
    return a, ports
