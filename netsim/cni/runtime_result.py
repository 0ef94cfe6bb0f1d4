"""Reading results back: ``version.NewResult`` / ``create.CreateFromBytes`` and
``Result.GetAsVersion`` of containernetworking/cni (what a runtime does with a
plugin's stdout, and what a chained plugin does with ``prevResult``), plus
``json.Marshal`` of a ``map[string]interface{}`` (keys sorted), the form libcni
writes configs and its result cache in."""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.gojson import GoJsonError, field, marshal_compact, unmarshal
from netsim.cni.ipcache import ip_address, ip_interface
from netsim.cni.result import DNS, Interface, IPConfig, Result, Route
from netsim.cni.version import CURRENT, parse_version

__all__ = ["convert_result", "marshal_map", "parse_result", "result_from_json", "sort_keys"]


def marshal_map(v: Any) -> str:
    """``json.Marshal`` of decoded JSON: compact, map keys sorted at every level."""
    return marshal_compact(sort_keys(v))


_LEAVES: Final = frozenset({str, int, bool, float, type(None)})


def sort_keys(v: Any) -> Any:
    """Decoded JSON with every object's keys in Go's map order (sorted)."""
    if type(v) in _LEAVES:
        return v
    if isinstance(v, dict):
        return {k: sort_keys(v[k]) for k in sorted(v)}
    if isinstance(v, list):
        return [sort_keys(x) for x in v]
    return v


def _iface(obj: Any) -> Interface:
    return Interface(
        name=str(field(obj, "name") or ""),
        mac=str(field(obj, "mac") or ""),
        sandbox=str(field(obj, "sandbox") or ""),
    )


def _ipconfig(obj: Any) -> IPConfig:
    try:
        address = ip_interface(str(field(obj, "address")))
        gw = field(obj, "gateway")
        gateway = ip_address(gw) if gw else None
    except ValueError as e:
        raise CniError(f"failed to parse result: {e}") from None
    index = field(obj, "interface")
    return IPConfig(address, gateway, int(index) if index is not None else None)


def _route(obj: Any) -> Route:
    try:
        dst = ip_interface(str(field(obj, "dst")))
        gw = field(obj, "gw")
        return Route(dst, ip_address(gw) if gw else None)
    except ValueError as e:
        raise CniError(f"failed to parse result: {e}") from None


def _dns(obj: Any) -> DNS:
    if not isinstance(obj, dict):
        return DNS()
    return DNS(
        tuple(field(obj, "nameservers") or ()),
        str(field(obj, "domain") or ""),
        tuple(field(obj, "search") or ()),
        tuple(field(obj, "options") or ()),
    )


def _from_020(obj: dict[str, Any]) -> Result:
    """``types020.Result`` converted up: ``ip4``/``ip6`` become IPs, their routes merge."""
    ips: list[IPConfig] = []
    routes: list[Route] = []
    for key in ("ip4", "ip6"):
        part = field(obj, key)
        if not isinstance(part, dict):
            continue
        ips.append(_ipconfig({"address": field(part, "ip"), "gateway": field(part, "gateway")}))
        routes += [_route(r) for r in field(part, "routes") or []]
    return Result(CURRENT, ips=tuple(ips), routes=tuple(routes), dns=_dns(field(obj, "dns")))


def result_from_json(obj: Any) -> Result:
    """A result object of any version as a 1.0.0 :class:`Result` (``GetAsVersion``)."""
    if not isinstance(obj, dict):
        raise CniError("failed to parse result: not a JSON object")
    version = str(field(obj, "cniVersion") or "")
    if parse_version(version)[:2] < (0, 3):
        return _from_020(obj)
    return Result(
        CURRENT,
        interfaces=tuple(_iface(i) for i in field(obj, "interfaces") or []),
        ips=tuple(_ipconfig(i) for i in field(obj, "ips") or []),
        routes=tuple(_route(r) for r in field(obj, "routes") or []),
        dns=_dns(field(obj, "dns")),
    )


def parse_result(text: str) -> Result:
    """``version.NewResult``: a plugin's stdout as a :class:`Result`."""
    try:
        obj = unmarshal(text)
    except GoJsonError as e:
        raise CniError(f"failed to parse result: {e}") from None
    return result_from_json(obj)


def convert_result(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """``result.GetAsVersion(version)`` as JSON (in the result struct's field
    order), raising what the conversion raises."""
    return result_from_json(obj).to_json(version)
