"""``CNI_ARGS`` parsing: ``types.LoadArgs`` of containernetworking/cni v1.0.1.

A plugin declares the keys it knows (Go struct field names, matched
case-sensitively) with a parser per key; ``IgnoreUnknown`` is always known."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any

from netsim.cni.errors import CniError
from netsim.cni.gojson import go_quote, go_quote_list

__all__ = ["ArgParser", "load_args", "parse_bool", "parse_ip", "parse_ip_or_cidr", "parse_string"]

#: Parses one value (``encoding.TextUnmarshaler``); raises ValueError with Go's text.
ArgParser = Callable[[str], Any]


def parse_bool(text: str) -> bool:
    """``types.UnmarshallableBool``."""
    s = text.lower()
    if s in ("1", "true"):
        return True
    if s in ("0", "false"):
        return False
    raise ValueError(f"boolean unmarshal error: invalid input {s}")


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``net.IP.UnmarshalText``: empty is nil."""
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"invalid IP address: {text}") from None


def parse_ip_or_cidr(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``ip.IP.UnmarshalText`` (plugins/pkg/ip): an address or ``address/prefix``."""
    if not text:
        return None
    try:
        return ipaddress.ip_interface(text).ip if "/" in text else ipaddress.ip_address(text)
    except ValueError:
        raise ValueError(f"invalid IP address {text}") from None


def parse_string(text: str) -> str:
    """``types.UnmarshallableString``."""
    return text


def load_args(
    args: str, known: Mapping[str, ArgParser], *, embedded: tuple[str, ...] = ("CommonArgs",)
) -> dict[str, Any]:
    """Parse ``K=V;K2=V2`` into ``{key: parsed}`` for the ``known`` keys.

    Mirrors ``types.LoadArgs``: a pair not of the form ``K=V`` fails; a key
    naming a field that is no ``TextUnmarshaler`` (the embedded ``CommonArgs``)
    fails; unknown keys fail as ``ARGS: unknown args [...]`` unless
    ``IgnoreUnknown`` is true."""
    out: dict[str, Any] = {}
    if not args:
        return out
    fields: dict[str, ArgParser] = {"IgnoreUnknown": parse_bool, **known}
    unknown: list[str] = []
    for pair in args.split(";"):
        kv = pair.split("=")
        if len(kv) != 2:
            raise CniError(f"ARGS: invalid pair {go_quote(pair)}")
        key, value = kv
        if key in embedded:
            raise CniError(
                f"ARGS: cannot unmarshal into field '{key}' - type '*types.{key}' "
                "does not implement encoding.TextUnmarshaler"
            )
        parser = fields.get(key)
        if parser is None:
            unknown.append(pair)
            continue
        try:
            out[key] = parser(value)
        except ValueError as e:
            raise CniError(f"ARGS: error parsing value of pair {go_quote(pair)}: {e}") from None
    if unknown and not out.get("IgnoreUnknown", False):
        raise CniError(f"ARGS: unknown args {go_quote_list(unknown)}")
    return out
