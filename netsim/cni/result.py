"""CNI results: the 1.0.0 types (``types/100``) and their conversion to the
older wire formats a config may ask for (``types/040`` for 0.3.0 to 0.4.0 with a
``version`` per IP, ``types/020`` for 0.1.0/0.2.0 with ``ip4``/``ip6``).

Serialisation follows ``types.PrintResult`` of containernetworking/cni v1.0.1
exactly: Go struct field order, ``omitempty`` fields dropped when empty, ``dns``
always present, 4-space indent, no trailing newline."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from netsim.cni.errors import CniError
from netsim.cni.gojson import marshal_indent
from netsim.cni.version import CURRENT, parse_version

__all__ = [
    "DNS",
    "IP",
    "IPConfig",
    "Interface",
    "Result",
    "Route",
    "ip_net_str",
]

#: An address (``net.IP``).
IP = ipaddress.IPv4Address | ipaddress.IPv6Address
#: An address with its prefix length (``net.IPNet`` as CNI uses it: host bits kept).
IPNet = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def ip_net_str(n: IPNet) -> str:
    """``types.IPNet`` as JSON text: ``10.1.2.3/24`` (the address, not the network)."""
    if type(n) is ipaddress.IPv4Interface:
        return str(n)  # the same text, without making the address and network objects
    return f"{n.ip}/{n.network.prefixlen}"


@dataclass(frozen=True)
class DNS:
    """``types.DNS``: every field ``omitempty``."""

    nameservers: tuple[str, ...] = ()
    domain: str = ""
    search: tuple[str, ...] = ()
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.nameservers:
            out["nameservers"] = list(self.nameservers)
        if self.domain:
            out["domain"] = self.domain
        if self.search:
            out["search"] = list(self.search)
        if self.options:
            out["options"] = list(self.options)
        return out

    def is_empty(self) -> bool:
        return not (self.nameservers or self.domain or self.search or self.options)


@dataclass(frozen=True)
class Route:
    """``types.Route``: ``dst`` and an optional ``gw``.  ``dst`` is None when the
    config left it out (Go then prints the zero ``IPNet`` as ``<nil>``)."""

    dst: IPNet | None
    gw: IP | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dst": ip_net_str(self.dst) if self.dst is not None else "<nil>"}
        if self.gw is not None:
            out["gw"] = str(self.gw)
        return out

    @property
    def is_v4(self) -> bool:
        return self.dst is not None and self.dst.version == 4


@dataclass(frozen=True)
class Interface:
    """``types100.Interface``."""

    name: str
    mac: str = ""
    sandbox: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.mac:
            out["mac"] = self.mac
        if self.sandbox:
            out["sandbox"] = self.sandbox
        return out


@dataclass(frozen=True)
class IPConfig:
    """``types100.IPConfig``: ``interface`` is an index into the result's
    interfaces (None for IPAM results)."""

    address: IPNet
    gateway: IP | None = None
    interface: int | None = None

    @property
    def version(self) -> str:
        return "4" if self.address.version == 4 else "6"

    def to_json(self, *, with_version: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version} if with_version else {}
        if self.interface is not None:
            out["interface"] = self.interface
        out["address"] = ip_net_str(self.address)
        if self.gateway is not None:
            out["gateway"] = str(self.gateway)
        return out


@dataclass(frozen=True)
class Result:
    """``types100.Result`` (spec 1.0.0)."""

    cni_version: str = CURRENT
    interfaces: tuple[Interface, ...] = ()
    ips: tuple[IPConfig, ...] = ()
    routes: tuple[Route, ...] = ()
    dns: DNS = field(default_factory=DNS)

    def to_json(self, version: str | None = None) -> dict[str, Any]:
        """The result as the JSON object for ``version`` (default: its own; the
        empty version is 0.1.0); :class:`CniError` when it cannot be expressed
        there (``convertTo02x``)."""
        version = self.cni_version if version is None else version or "0.1.0"
        major_minor = parse_version(version)[:2]
        if major_minor >= (1, 0):
            return self._to_json_current(version)
        if major_minor >= (0, 3):
            return self._to_json_040(version)
        return self._to_json_020(version)

    def render(self, version: str | None = None) -> str:
        """``types.PrintResult(result, version)``: what the plugin writes to stdout."""
        return marshal_indent(self.to_json(version))

    def _head(self, version: str, *, with_version: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"cniVersion": version}
        if self.interfaces:
            out["interfaces"] = [i.to_json() for i in self.interfaces]
        if self.ips:
            out["ips"] = [ip.to_json(with_version=with_version) for ip in self.ips]
        if self.routes:
            out["routes"] = [r.to_json() for r in self.routes]
        out["dns"] = self.dns.to_json()
        return out

    def _to_json_current(self, version: str) -> dict[str, Any]:
        if version != CURRENT:
            raise CniError(f'unsupported CNI result version "{version}"')
        return self._head(version, with_version=False)

    def _to_json_040(self, version: str) -> dict[str, Any]:
        if version not in ("0.3.0", "0.3.1", "0.4.0"):
            raise CniError(f'unsupported CNI result version "{version}"')
        return self._head(version, with_version=True)

    def _to_json_020(self, version: str) -> dict[str, Any]:
        """``types040.convertTo02x``: the first IP of each family, routes by family."""
        if version not in ("0.1.0", "0.2.0"):
            raise CniError(f'unsupported CNI result version "{version}"')
        ip4 = next((ip for ip in self.ips if ip.version == "4"), None)
        ip6 = next((ip for ip in self.ips if ip.version == "6"), None)
        if ip4 is None and ip6 is None:
            raise CniError("cannot convert: no valid IP addresses")
        out: dict[str, Any] = {"cniVersion": version}
        for key, ipc, v4 in (("ip4", ip4, True), ("ip6", ip6, False)):
            if ipc is None:
                continue
            obj: dict[str, Any] = {"ip": ip_net_str(ipc.address)}
            if ipc.gateway is not None:
                obj["gateway"] = str(ipc.gateway)
            routes = [r.to_json() for r in self.routes if r.is_v4 == v4]
            if routes:
                obj["routes"] = routes
            out[key] = obj
        out["dns"] = self.dns.to_json()
        return out
