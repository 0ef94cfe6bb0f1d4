"""DHCP options as the dhcp IPAM daemon reads and writes them:
``plugins/ipam/dhcp/options.go`` and ``prepareOptions`` of ``lease.go``
(containernetworking/plugins v1.1.1), over d2g/dhcp4's ``Options`` map.

An ``Options`` value is the ``dict`` Go's ``Packet.ParseOptions`` builds: code
-> value, the *last* occurrence of a code winning.  The maps Go iterates in
random order (the requested and provided options) are kept in insertion order
here, so the options a client sends come out in one order per config.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.gojson import field, go_quote
from netsim.cni.result import IP, Route
from netsim.packet.dhcp import (
    DHCP,
    OPT_CLASSLESS_ROUTES,
    OPT_LEASE_TIME,
    OPT_REBINDING_TIME,
    OPT_RENEWAL_TIME,
    OPT_ROUTER,
    OPT_STATIC_ROUTES,
    OPT_SUBNET_MASK,
)

__all__ = [
    "Options",
    "parse_cidr_routes",
    "parse_duration",
    "parse_option_name",
    "parse_options",
    "parse_router",
    "parse_routes",
    "parse_subnet_mask",
    "prepare_options",
]

#: code -> value (``dhcp4.Options``).
Options = dict[int, bytes]

#: ``optionNameToID``.
OPTION_NAMES: Final = {
    "dhcp-client-identifier": 61,
    "subnet-mask": 1,
    "routers": 3,
    "host-name": 12,
    "user-class": 77,
    "vendor-class-identifier": 60,
}
#: ``requestOptionsDefault`` (both required), in the order netsim sends them.
REQUEST_DEFAULT: Final = (OPT_ROUTER, OPT_SUBNET_MASK)


def parse_options(pkt: DHCP) -> Options:
    """``Packet.ParseOptions``: the last value of each code."""
    return {code: value for code, value in pkt.options if code != 0}


def parse_option_name(option: str) -> int:
    """``parseOptionName``: a name of ``optionNameToID`` or a number 0-255."""
    if option in OPTION_NAMES:
        return OPTION_NAMES[option]
    text = go_quote(option)
    if not option or not option.isascii() or not option.isdigit():
        raise CniError(f"Can not parse option: strconv.ParseUint: parsing {text}: invalid syntax")
    if int(option) > 255:
        raise CniError(
            f"Can not parse option: strconv.ParseUint: parsing {text}: value out of range"
        )
    return int(option)


def _str(obj: Any, name: str) -> str:
    v = field(obj, name) if isinstance(obj, dict) else None
    return v if isinstance(v, str) else ""


def prepare_options(
    cni_args: str, provide: Sequence[Any], request: Sequence[Any]
) -> tuple[dict[int, bool], dict[int, bytes]]:
    """``prepareOptions``: (options to request, options to provide) from
    ``ipam.provide`` / ``ipam.request`` and ``CNI_ARGS`` (``fromArg``)."""
    args: dict[str, str] = {}
    for pair in cni_args.split(";"):
        k, sep, v = pair.partition("=")
        if sep:
            args[k] = v
    providing: dict[int, bytes] = {}
    for opt in provide:
        name = _str(opt, "option")
        try:
            code = parse_option_name(name)
        except CniError as e:
            raise CniError(f"Can not parse option {go_quote(name)}: {e.msg}") from None
        value = _str(opt, "value")
        if value:
            if len(value.encode()) > 255:
                raise CniError(f"value too long for option {go_quote(name)}: {go_quote(value)}")
            providing[code] = value.encode()
        from_arg = _str(opt, "fromArg")
        if from_arg in args:
            arg = args[from_arg]
            if len(arg.encode()) > 255:
                raise CniError(
                    f"value too long for option {go_quote(name)} from CNI_ARGS "
                    f"{go_quote(from_arg)}: {go_quote(value)}"
                )
            providing[code] = arg.encode()
    requesting: dict[int, bool] = {}
    skip_default = False
    for opt in request:
        sd = field(opt, "skipDefault") if isinstance(opt, dict) else None
        if sd is True:
            skip_default = True
        name = _str(opt, "option")
        try:
            code = parse_option_name(name)
        except CniError as e:
            raise CniError(f"Can not parse option {go_quote(name)}: {e.msg}") from None
        requesting[code] = True
    for code in REQUEST_DEFAULT:
        if code not in requesting and not skip_default:
            requesting[code] = True
    return requesting, providing


def _ip(b: bytes) -> IP:
    return ipaddress.ip_address(b)


def parse_router(opts: Options) -> IP | None:
    """``parseRouter``: option 3 when it is exactly one address."""
    v = opts.get(OPT_ROUTER)
    return _ip(v) if v is not None and len(v) == 4 else None


def _classful(dst: bytes) -> ipaddress.IPv4Interface:
    """``net.IP.DefaultMask``: A /8, B /16, C /24, else the host only (Go: nil mask)."""
    first = dst[0]
    bits = 8 if first < 0x80 else 16 if first < 0xC0 else 24 if first < 0xE0 else 32
    return ipaddress.IPv4Interface((dst, bits))


def parse_routes(opts: Options) -> list[Route]:
    """``parseRoutes``: option 33's (classful destination, router) pairs."""
    out: list[Route] = []
    v = opts.get(OPT_STATIC_ROUTES, b"")
    while len(v) >= 8:
        out.append(Route(_classful(v[0:4]), _ip(v[4:8])))
        v = v[8:]
    return out


def parse_cidr_routes(opts: Options) -> list[Route] | None:
    """``parseCIDRRoutes``: option 121 (RFC 3442); None where Go returns nil
    (a width over 32, or a route cut short), which drops every route."""
    out: list[Route] = []
    v = opts.get(OPT_CLASSLESS_ROUTES, b"")
    while len(v) >= 5:
        width = v[0]
        if width > 32:
            return None
        octets = (width - 1) // 8 + 1 if width else 0
        if len(v) < 1 + octets + 4:
            return None
        dst = (v[1 : 1 + octets] + bytes(4))[:4]
        out.append(Route(ipaddress.IPv4Interface((dst, width)), _ip(v[1 + octets : 5 + octets])))
        v = v[octets + 5 :]
    return out


def parse_subnet_mask(opts: Options) -> bytes | None:
    """``parseSubnetMask``: option 1's bytes."""
    return opts.get(OPT_SUBNET_MASK)


def parse_duration(opts: Options, code: int, name: str) -> int:
    """``parseDuration``: a 4-byte count of seconds; :class:`CniError` otherwise."""
    v = opts.get(code)
    if v is None:
        raise CniError(f"option {name} not found")
    if len(v) != 4:
        raise CniError(f"option {name} is not 4 bytes")
    return int.from_bytes(v, "big")


def lease_time(opts: Options) -> int:
    return parse_duration(opts, OPT_LEASE_TIME, "LeaseTime")


def renewal_time(opts: Options) -> int:
    return parse_duration(opts, OPT_RENEWAL_TIME, "RenewalTime")


def rebinding_time(opts: Options) -> int:
    return parse_duration(opts, OPT_REBINDING_TIME, "RebindingTime")
