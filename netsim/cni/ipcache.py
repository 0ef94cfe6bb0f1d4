"""Memoised ``ipaddress`` parsing for the plugins' hot paths.  The address and
interface objects are immutable, so the texts a pod's ADD parses again and
again (its address in every plugin's result, the routes, the subnet) are
parsed once.  What is no address raises as ``ipaddress`` does (an unhashable
value from JSON included)."""

from __future__ import annotations

import functools
import ipaddress
from typing import Any

__all__ = ["ip_address", "ip_interface"]

_address = functools.lru_cache(maxsize=4096, typed=True)(ipaddress.ip_address)
_interface = functools.lru_cache(maxsize=4096, typed=True)(ipaddress.ip_interface)


def ip_address(v: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``ipaddress.ip_address(v)``, memoised."""
    try:
        return _address(v)
    except TypeError:  # unhashable: ipaddress gives its own answer
        return ipaddress.ip_address(v)


def ip_interface(v: Any) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """``ipaddress.ip_interface(v)``, memoised."""
    try:
        return _interface(v)
    except TypeError:
        return ipaddress.ip_interface(v)
