"""Keys outside the device trees whose handler is not a generic one (``_procfs.Kind``).

Each writer takes the namespace's scalar table, the key and the written text,
and either stores the new value or raises ``Invalid`` leaving it unchanged.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from typing import Final

from netsim.kernel.sysctl._procfs import (
    Invalid,
    Kind,
    Spec,
    format_bitmap,
    parse_bitmap,
    parse_values,
    store_value,
)
from netsim.kernel.sysctl._tables import parse1

Value = int | str | tuple[int, ...] | frozenset[int]
Scalars = dict[str, Value]
Writer = Callable[[Scalars, str, str], None]


def as_int(scalars: Scalars, key: str) -> int:
    value = scalars[key]
    assert isinstance(value, int)
    return value


def as_pair(scalars: Scalars, key: str) -> tuple[int, int]:
    value = scalars[key]
    assert isinstance(value, tuple)
    return value[0], value[1]


def _vec(count: int, spec: Spec, current: Value, text: str) -> tuple[int, ...]:
    """Numbers written into a local copy of an array: any error leaves the key unchanged."""
    assert isinstance(current, tuple)
    values, failed = parse_values(text, count)
    out = list(current)
    for i, (neg, v) in enumerate(values):
        out[i] = store_value(spec, neg, v)
    if failed:
        raise Invalid
    return tuple(out)


def _port_range(scalars: Scalars, key: str, text: str) -> None:
    """``ipv4_local_port_range``: 1..65535, low <= high, low >= ip_unprivileged_port_start."""
    lo, hi = _vec(2, Spec(Kind.INT, 1, 65535), scalars[key], text)
    if hi < lo or lo < as_int(scalars, "net.ipv4.ip_unprivileged_port_start"):
        raise Invalid
    scalars[key] = (lo, hi)


def _ping_group(scalars: Scalars, key: str, text: str) -> None:
    """``ipv4_ping_group_range`` (gids of the initial user namespace); high < low means nobody."""
    lo, hi = _vec(2, Spec(Kind.ULONG, 0, 2**32 - 2), scalars[key], text)
    scalars[key] = (1, 0) if hi < lo else (lo, hi)


def tcp_mem(minimum: int) -> Writer:
    """``tcp_rmem``/``tcp_wmem``: ``proc_dointvec_minmax`` on the array itself, values
    at least ``minimum``; values before an error stay written."""

    def write(scalars: Scalars, key: str, text: str) -> None:
        current = scalars[key]
        assert isinstance(current, tuple)
        out = list(current)
        values, failed = parse_values(text, 3)
        try:
            for i, (neg, v) in enumerate(values):
                out[i] = store_value(Spec(Kind.INT, minimum, None), neg, v)
        finally:
            scalars[key] = tuple(out)
        if failed:
            raise Invalid

    return write


def _bitmap(nbits: int) -> Writer:
    def write(scalars: Scalars, key: str, text: str) -> None:
        scalars[key] = frozenset(parse_bitmap(text, nbits))

    return write


def _congestion(scalars: Scalars, key: str, text: str) -> None:
    """Unknown name: ENOENT; one not in the allowed list: EPERM outside init_net."""
    name = text.split("\n", 1)[0][:15]  # proc_dostring, TCP_CA_NAME_MAX
    if name not in str(scalars["net.ipv4.tcp_available_congestion_control"]).split():
        raise Invalid(errno.ENOENT)
    if name not in str(scalars["net.ipv4.tcp_allowed_congestion_control"]).split():
        raise Invalid(errno.EPERM)
    scalars[key] = name


_KEY_RE: Final = re.compile(r"\s*" + "-".join([r"([0-9a-fA-F]{1,8})"] * 4) + r"\s*")


def _fastopen_key(scalars: Scalars, key: str, text: str) -> None:
    """``proc_tcp_fastopen_key``: ``%x-%x-%x-%x``, a backup key after a comma."""
    keys = []
    for part in text.split(",")[:2]:
        m = _KEY_RE.fullmatch(part)
        if m is None:
            raise Invalid
        keys.append("-".join(f"{int(g, 16):08x}" for g in m.groups()))
    scalars[key] = ",".join(keys)


def _frag(low: str, high: str) -> Writer:
    """``ipfrag_low_thresh`` <= ``ipfrag_high_thresh``, each bounded by the other."""

    def write(scalars: Scalars, key: str, text: str) -> None:
        if key == low:
            spec = Spec(Kind.ULONG, 0, as_int(scalars, high))
        else:
            spec = Spec(Kind.ULONG, as_int(scalars, low), None)
        scalars[key] = parse1(spec, text)

    return write


def _unprivileged_port(scalars: Scalars, key: str, text: str) -> None:
    """``ipv4_privileged_ports``: 0..65535 and not above the local port range's low end."""
    new = parse1(Spec(Kind.INT, 0, 65535), text)
    if as_pair(scalars, "net.ipv4.ip_local_port_range")[0] < new:
        raise Invalid
    scalars[key] = new


def _tabbed(text: str) -> Value:
    return tuple(int(v) for v in text.split("\t"))


def _untab(value: Value) -> str:
    assert isinstance(value, tuple)
    return "\t".join(str(v) for v in value)


def _bits(nbits: int) -> Callable[[str], Value]:
    return lambda text: frozenset(parse_bitmap(text, nbits))


def _show_bits(value: Value) -> str:
    assert isinstance(value, frozenset)
    return format_bitmap(value)


def _int(text: str) -> Value:
    return int(text)


_V4, _V6 = "net.ipv4.", "net.ipv6."
_FRAG4 = _frag(_V4 + "ipfrag_low_thresh", _V4 + "ipfrag_high_thresh")
_FRAG6 = _frag(_V6 + "ip6frag_low_thresh", _V6 + "ip6frag_high_thresh")

#: key -> (parse the captured default, print, write)
SPECIAL: Final[dict[str, tuple[Callable[[str], Value], Callable[[Value], str], Writer]]] = {
    _V4 + "ip_local_port_range": (_tabbed, _untab, _port_range),
    _V4 + "ping_group_range": (_tabbed, _untab, _ping_group),
    _V4 + "tcp_rmem": (_tabbed, _untab, tcp_mem(1)),  # the build's minimum: Sysctls
    _V4 + "tcp_wmem": (_tabbed, _untab, tcp_mem(1)),
    _V4 + "ip_local_reserved_ports": (_bits(65536), _show_bits, _bitmap(65536)),
    _V6 + "icmp.ratemask": (_bits(256), _show_bits, _bitmap(256)),
    _V4 + "tcp_congestion_control": (str, str, _congestion),
    _V4 + "tcp_fastopen_key": (str, str, _fastopen_key),
    _V4 + "ipfrag_high_thresh": (_int, str, _FRAG4),
    _V4 + "ipfrag_low_thresh": (_int, str, _FRAG4),
    _V6 + "ip6frag_high_thresh": (_int, str, _FRAG6),
    _V6 + "ip6frag_low_thresh": (_int, str, _FRAG6),
    _V4 + "ip_unprivileged_port_start": (_int, str, _unprivileged_port),
}
