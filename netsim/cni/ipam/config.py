"""Reading an IPAM plugin's part of the network config, with Go's
``json.Unmarshal`` semantics: ``allocator.LoadIPAMConfig`` (host-local) and the
pieces the static plugin shares (routes, dns)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netsim.cni.args import load_args, parse_ip_or_cidr
from netsim.cni.errors import CniError
from netsim.cni.gojson import field, type_name, unmarshal
from netsim.cni.ipam.ranges import (
    Range,
    RangeSet,
    canonicalize_set,
    parse_cidr,
    parse_ip,
    sets_overlap,
)
from netsim.cni.result import DNS, IP, Route
from netsim.cni.version import greater_than_or_equal

__all__ = ["HostLocalConfig", "load_host_local_config", "parse_dns", "parse_routes"]


def _type_err(v: Any, into: str) -> CniError:
    return CniError(f"json: cannot unmarshal {type_name(v)} into Go value of type {into}")


def _list(v: Any, into: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise _type_err(v, into)
    return v


def _str(v: Any) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise _type_err(v, "string")
    return v


def parse_routes(v: Any) -> tuple[Route, ...]:
    """``[]*types.Route``: ``dst`` a CIDR (host bits kept), ``gw`` optional."""
    out: list[Route] = []
    for item in _list(v, "[]*types.Route"):
        if item is None:
            continue
        if not isinstance(item, dict):
            raise _type_err(item, "types.route")
        dst, gw = field(item, "dst"), field(item, "gw")
        out.append(
            Route(
                dst=parse_cidr(_str(dst)) if dst is not None else None,
                gw=parse_ip(_str(gw)) if gw else None,
            )
        )
    return tuple(out)


def parse_dns(v: Any) -> DNS:
    """``types.DNS``."""
    if v is None:
        return DNS()
    if not isinstance(v, dict):
        raise _type_err(v, "types.DNS")

    def strs(key: str) -> tuple[str, ...]:
        return tuple(_str(s) for s in _list(field(v, key), "[]string"))

    return DNS(strs("nameservers"), _str(field(v, "domain")), strs("search"), strs("options"))


def _range_sets(v: Any) -> list[RangeSet]:
    sets: list[RangeSet] = []
    for rs in _list(v, "[]allocator.RangeSet"):
        sets.append(tuple(Range.from_json(r) for r in _list(rs, "allocator.RangeSet")))
    return sets


@dataclass(frozen=True)
class HostLocalConfig:
    """``allocator.IPAMConfig`` after ``LoadIPAMConfig``: canonical range sets."""

    name: str
    cni_version: str
    ranges: tuple[RangeSet, ...]
    routes: tuple[Route, ...] | None
    data_dir: str
    resolv_conf: str
    requested: tuple[IP, ...]


def _data_ips(obj: dict[str, Any]) -> list[IP]:
    """Requested IPs in the config: ``args.cni.ips``, then ``runtimeConfig.ips``."""
    ips: list[IP] = []
    args = field(obj, "args")
    cni = field(args, "cni") if isinstance(args, dict) else None
    if isinstance(cni, dict):
        ips += [parse_ip(_str(s)) for s in _list(field(cni, "ips"), "[]net.IP")]
    rc = field(obj, "runtimeConfig")
    if isinstance(rc, dict):
        for s in _list(field(rc, "ips"), "[]*ip.IP"):
            text = _str(s)
            try:
                ips.append(parse_cidr(text).ip if "/" in text else parse_ip(text))
            except CniError:
                raise CniError(f"invalid IP address {text}") from None
    return ips


def _env_ips(env_args: str) -> list[IP]:
    """The CNI_ARGS ``IP=`` (``IPAMEnvArgs``)."""
    if not env_args:
        return []
    ip = load_args(env_args, {"IP": parse_ip_or_cidr}).get("IP")
    return [ip] if ip is not None else []


def load_host_local_config(stdin: str, env_args: str) -> HostLocalConfig:
    """``allocator.LoadIPAMConfig``: every error text as host-local prints it."""
    obj = unmarshal(stdin)
    ipam = field(obj, "ipam")
    if ipam is not None and not isinstance(ipam, dict):
        raise _type_err(ipam, "allocator.IPAMConfig")
    ranges = _range_sets(field(ipam, "ranges")) if ipam is not None else []
    legacy = Range.from_json(ipam) if ipam is not None else Range(None)
    routes_v = field(ipam, "routes") if ipam is not None else None
    routes = parse_routes(routes_v) if routes_v is not None else None
    data_ips = _data_ips(obj)
    rc = field(obj, "runtimeConfig")
    rc_ranges = _range_sets(field(rc, "ipRanges")) if isinstance(rc, dict) else []
    if ipam is None:
        raise CniError("IPAM config missing 'ipam' key")
    requested = _env_ips(env_args) + data_ips
    if legacy.subnet is not None:
        ranges.insert(0, (legacy,))
    ranges = rc_ranges + ranges
    if not ranges:
        raise CniError("no IP ranges specified")
    canonical: list[RangeSet] = []
    for i, rs in enumerate(ranges):
        try:
            canonical.append(canonicalize_set(rs))
        except CniError as e:
            raise CniError(f"invalid range set {i}: {e.msg}") from None
    version = _str(field(obj, "cniVersion"))
    v4 = sum(1 for rs in canonical if rs[0].network.version == 4)
    if v4 > 1 or len(canonical) - v4 > 1:
        try:
            ok = greater_than_or_equal(version, "0.3.0")
        except CniError:
            ok = False
        if not ok:
            raise CniError(f"CNI version {version} does not support more than 1 address per family")
    for i, a in enumerate(canonical[:-1]):
        for j, b in enumerate(canonical[i + 1 :]):
            if sets_overlap(a, b):
                raise CniError(f"range set {i} overlaps with {i + j + 1}")
    return HostLocalConfig(
        name=_str(field(obj, "name")),
        cni_version=version,
        ranges=tuple(canonical),
        routes=routes,
        data_dir=_str(field(ipam, "dataDir")),
        resolv_conf=_str(field(ipam, "resolvConf")),
        requested=tuple(requested),
    )
