"""The IPv4 part of the :class:`~netsim.world.World` API, in iproute2's words.

Each method is one ``ip`` command, with iproute2's defaults filled in the way
``ip`` fills them (``ip route add 10.0.0.0/8 dev eth0`` is ``scope link``,
``ip route add local ...`` goes to table ``local``, and so on).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from netsim.addr import IfAddr, Prefix, ip4, mask4
from netsim.errors import KernelError, NetsimError
from netsim.kernel.ipv4.consts import (
    PROTOS_BY_NAME,
    RT_SCOPE_HOST,
    RT_SCOPE_LINK,
    RT_SCOPE_NOWHERE,
    RT_SCOPE_UNIVERSE,
    RT_TABLE_LOCAL,
    RT_TABLE_MAIN,
    RTN_BROADCAST,
    RTN_LOCAL,
    RTN_UNICAST,
    RTN_UNSPEC,
    RTPROT_BOOT,
    SCOPE_NAMES,
    TYPES_BY_NAME,
)
from netsim.kernel.ipv4.devinet import InDevice, InIfAddr
from netsim.kernel.ipv4.frontend import add_ifa, del_ifa
from netsim.kernel.ipv4.route import (
    NexthopSpec,
    OutputRoute,
    ip_route_output,
    route_add,
    route_del,
)
from netsim.kernel.ipv4.rules import FR_ACT_TO_TBL, FibRule

if TYPE_CHECKING:
    from netsim.kernel import Kernel, Link, Netns


__all__ = ["Ipv4Api", "MultipathHop"]

_TABLES: Final = {"local": 255, "main": 254, "default": 253}

_SCOPES: Final = {v: k for k, v in SCOPE_NAMES.items()}

#: One hop of ``nexthop via GW dev D weight W [onlink]``: (gateway, device,
#: weight) or (gateway, device, weight, onlink).
MultipathHop = tuple[str | None, str | None, int] | tuple[str | None, str | None, int, bool]


def _nh_specs(ns: Netns, hops: Sequence[MultipathHop], onlink: bool) -> list[NexthopSpec]:
    out = []
    for hop in hops:
        gw, dev, weight = hop[0], hop[1], hop[2]
        on = bool(hop[3]) if len(hop) > 3 else onlink
        out.append(NexthopSpec(ip4(gw) if gw else 0, ns.dev(dev) if dev else None, on, weight))
    return out


def _check_mp(first: NexthopSpec, oif: Link | None, gw: int) -> None:
    """``fib_get_nhs()``: a route-level ``dev``/``via`` must be the first hop's."""
    if oif is not None and first.dev is not oif:
        raise KernelError(errno.EINVAL, "Nexthop device index does not match RTA_OIF")
    if gw and first.gw != gw:
        raise KernelError(errno.EINVAL, "Nexthop gateway does not match RTA_GATEWAY or RTA_VIA")


def _table(table: int | str) -> int:
    if isinstance(table, int):
        return table
    if table in _TABLES:
        return _TABLES[table]
    try:
        return int(table)
    except ValueError:
        raise NetsimError(f'Error: argument "{table}" is wrong: "table" value is invalid') from None


def _prefix(text: str) -> Prefix:
    try:
        return Prefix.parse(text)
    except ValueError as e:
        if "Invalid prefix" in str(e):
            raise KernelError(errno.EINVAL, "Invalid prefix for given prefix length") from None
        raise NetsimError(f'Error: any valid prefix is expected rather than "{text}".') from None


class Ipv4Api:
    """Mixed into :class:`~netsim.world.World`."""

    kernel: Kernel

    def _ns(self, netns: str) -> Netns:
        return self.kernel.netns(netns)

    def _in_dev(self, dev: Link) -> InDevice:
        in_dev: InDevice | None = dev.ip_ptr
        if in_dev is None:
            raise KernelError(errno.ENODEV)
        return in_dev

    # --- addresses -------------------------------------------------------------------------

    def addr_add(
        self,
        addr: str,
        *,
        dev: str,
        netns: str = "init_net",
        broadcast: str | None = None,
        scope: str = "global",
        label: str | None = None,
        noprefixroute: bool = False,
        metric: int = 0,
    ) -> None:
        """``ip addr add A/LEN [brd B|+] [scope S] [label L] [noprefixroute] [metric M] dev D``."""
        ns = self._ns(netns)
        link = ns.dev(dev)
        ifa_addr = IfAddr.parse(addr)
        brd = 0
        if broadcast in ("+", "-") and ifa_addr.prefixlen >= 31:
            pass  # ip: no computed broadcast for /31 and /32
        elif broadcast == "+":
            brd = ifa_addr.ip | (~mask4(ifa_addr.prefixlen) & 0xFFFFFFFF)
        elif broadcast == "-":
            brd = ifa_addr.ip & mask4(ifa_addr.prefixlen)
        elif broadcast is not None:
            brd = ip4(broadcast)
        ifa = InIfAddr(
            ifa_addr.ip,
            ifa_addr.prefixlen,
            broadcast=brd,
            scope=_SCOPES.get(scope, RT_SCOPE_UNIVERSE) if not scope.isdigit() else int(scope),
            label=label or dev,
            noprefixroute=noprefixroute,
            rt_priority=metric,
        )
        self._in_dev(link)
        add_ifa(link, ifa)

    def addr_del(self, addr: str, *, dev: str, netns: str = "init_net") -> None:
        """``ip addr del A[/LEN] dev D`` (no length: the first address with that IP)."""
        link = self._ns(netns).dev(dev)
        plen: int | None = int(addr.partition("/")[2]) if "/" in addr else None
        ifa = self._in_dev(link).find(ip4(addr.partition("/")[0]), plen)
        if ifa is None:
            raise KernelError(errno.EADDRNOTAVAIL, "ipv4: Address not found")
        del_ifa(link, ifa)

    def addr_flush(self, *, dev: str, netns: str = "init_net") -> None:
        """``ip addr flush dev D``."""
        link = self._ns(netns).dev(dev)
        in_dev = self._in_dev(link)
        while in_dev.ifa_list:
            del_ifa(link, in_dev.ifa_list[0])

    # --- routes --------------------------------------------------------------------------------

    def _route(
        self,
        dst: str,
        netns: str,
        *,
        via: str | None,
        dev: str | None,
        table: int | str | None,
        type: str,
        proto: str | int,
        scope: str | None,
        metric: int,
        src: str | None,
        onlink: bool,
        nexthops: Sequence[MultipathHop] | None,
        mode: str,
    ) -> None:
        ns = self._ns(netns)
        rtype = TYPES_BY_NAME[type]
        prefix = _prefix(dst)
        tid = _table(table) if table is not None else (
            RT_TABLE_LOCAL if rtype in (RTN_LOCAL, RTN_BROADCAST) else RT_TABLE_MAIN
        )  # fmt: skip
        link = ns.dev(dev) if dev is not None else None
        specs: list[NexthopSpec] = []
        if nexthops:
            specs = _nh_specs(ns, nexthops, onlink)
            _check_mp(specs[0], link, ip4(via) if via else 0)
        elif via is not None or link is not None:
            specs = [NexthopSpec(ip4(via) if via else 0, link, onlink)]
        if scope is not None:
            rscope = _SCOPES[scope] if not scope.isdigit() else int(scope)
        elif rtype == RTN_LOCAL:
            rscope = RT_SCOPE_HOST
        elif rtype == RTN_BROADCAST or (rtype == RTN_UNICAST and via is None and not nexthops):
            rscope = RT_SCOPE_LINK
        else:
            rscope = RT_SCOPE_UNIVERSE
        protocol = proto if isinstance(proto, int) else PROTOS_BY_NAME.get(proto, RTPROT_BOOT)
        route_add(
            ns,
            prefix,
            table=tid,
            rtype=rtype,
            protocol=protocol,
            scope=rscope,
            nexthops=specs,
            priority=metric,
            prefsrc=ip4(src) if src else 0,
            excl=mode == "add",
            replace=mode in ("replace", "change"),
            append=mode == "append",
            create=mode != "change",
        )

    def route_add(
        self,
        dst: str,
        *,
        netns: str = "init_net",
        via: str | None = None,
        dev: str | None = None,
        table: int | str | None = None,
        type: str = "unicast",
        proto: str | int = "boot",
        scope: str | None = None,
        metric: int = 0,
        src: str | None = None,
        onlink: bool = False,
        nexthops: Sequence[MultipathHop] | None = None,
        mode: str = "add",
    ) -> None:
        """``ip route add|replace|change|append|prepend [TYPE] DST [via GW] [dev D]
        [table T] [proto P] [scope S] [metric M] [src S] [onlink]
        [nexthop via GW dev D weight W [onlink] ...]``.

        ``nexthops`` are ``(gateway or None, device or None, weight)`` tuples, with
        a fourth item ``onlink`` if wanted; ``change`` replaces and fails with
        ``ENOENT`` when there is nothing to replace; ``prepend`` (``NLM_F_CREATE``
        alone) puts the route before those of the same priority."""
        if mode not in ("add", "replace", "change", "append", "prepend"):
            raise NetsimError(f"mode must be add, replace, change, append or prepend, not {mode!r}")
        self._route(dst, netns, via=via, dev=dev, table=table, type=type, proto=proto,
                    scope=scope, metric=metric, src=src, onlink=onlink, nexthops=nexthops,
                    mode=mode)  # fmt: skip

    def route_del(
        self,
        dst: str,
        *,
        netns: str = "init_net",
        via: str | None = None,
        dev: str | None = None,
        table: int | str | None = None,
        type: str | None = None,
        proto: str | None = None,
        scope: str | None = None,
        metric: int | None = None,
        src: str | None = None,
        nexthops: Sequence[MultipathHop] | None = None,
    ) -> None:
        """``ip route del [TYPE] DST [via GW] [dev D] [table T] [metric M] ...
        [nexthop via GW dev D ...]``."""
        ns = self._ns(netns)
        rtype = TYPES_BY_NAME[type] if type else RTN_UNSPEC
        tid = _table(table) if table is not None else (
            RT_TABLE_LOCAL if rtype in (RTN_LOCAL, RTN_BROADCAST) else RT_TABLE_MAIN
        )  # fmt: skip
        route_del(
            ns,
            _prefix(dst),
            table=tid,
            rtype=rtype,
            protocol=PROTOS_BY_NAME.get(proto, 0) if proto else 0,
            scope=_SCOPES[scope] if scope else RT_SCOPE_NOWHERE,
            priority=metric,
            prefsrc=ip4(src) if src else 0,
            gw=ip4(via) if via else 0,
            dev=ns.dev(dev) if dev else None,
            nexthops=_nh_specs(ns, nexthops or (), False),
        )

    def route_get(
        self,
        dst: str,
        *,
        netns: str = "init_net",
        src: str | None = None,
        oif: str | None = None,
        mark: int = 0,
    ) -> OutputRoute:
        """``ip route get DST [from SRC] [oif DEV] [mark M]``."""
        ns = self._ns(netns)
        return ip_route_output(
            ns,
            ip4(dst),
            saddr=ip4(src) if src else 0,
            oif=ns.dev(oif) if oif else None,
            mark=mark,
        )

    # --- rules -----------------------------------------------------------------------------------

    def rule_add(
        self,
        *,
        netns: str = "init_net",
        priority: int | None = None,
        src: str | None = None,
        dst: str | None = None,
        iif: str | None = None,
        oif: str | None = None,
        fwmark: int | None = None,
        fwmask: int = 0xFFFFFFFF,
        table: int | str = "main",
        action: str | None = None,
        invert: bool = False,
    ) -> None:
        """``ip rule add [not] [pref N] [from P] [to P] [iif D] [oif D] [fwmark M[/MASK]]
        [lookup T | blackhole | unreachable | prohibit]``."""
        rules = self._ns(netns).ipv4.rules
        acts = {"blackhole": 6, "unreachable": 7, "prohibit": 8}
        rule = FibRule(
            rules.default_pref() if priority is None else priority,
            _table(table) if action is None else 0,
            FR_ACT_TO_TBL if action is None else acts[action],
            _prefix(src) if src else None,
            _prefix(dst) if dst else None,
            iif,
            oif,
            fwmark or 0,
            fwmask if fwmark is not None else 0,
            invert=invert,
        )
        rules.add(rule)
        self._ns(netns).ipv4.custom_rules = True

    def rule_del(
        self,
        *,
        netns: str = "init_net",
        priority: int | None = None,
        src: str | None = None,
        dst: str | None = None,
        table: int | str | None = None,
    ) -> None:
        """``ip rule del [pref N] [from P] [to P] [lookup T]``."""
        rule = FibRule(
            priority or 0,
            _table(table) if table is not None else 0,
            src=_prefix(src) if src else None,
            dst=_prefix(dst) if dst else None,
        )
        self._ns(netns).ipv4.rules.delete(rule, match_priority=priority is not None)
