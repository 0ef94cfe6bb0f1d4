"""The simulator as a :class:`~netsim.host.Host`: operations applied to a
:class:`~netsim.world.World`'s kernel model, dumps from the model in
iproute2's JSON shapes."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, final

from netsim.addr import ip4
from netsim.backends.sim.dump import (
    bridge_link_records,
    fdb_records,
    link_record,
    link_records,
)
from netsim.backends.sim.dump_l3 import (
    addr_records,
    neigh_records,
    route_get_record,
    route_records,
    rule_records,
)
from netsim.backends.sim.dump_tc import tc_records
from netsim.errors import CommandFailed, KernelError, NetsimError
from netsim.host.ops import (
    INIT_NET,
    QDISC_MODES,
    AddrAdd,
    AddrDel,
    BridgePortSet,
    ConntrackDelete,
    Dump,
    FdbAdd,
    FdbDel,
    FilterAdd,
    FilterDel,
    Iptables,
    LinkAdd,
    LinkDel,
    LinkGet,
    LinkSet,
    NeighAdd,
    NeighDel,
    NetnsAdd,
    NetnsDel,
    Op,
    QdiscAdd,
    QdiscDel,
    RouteAdd,
    RouteDel,
    RouteGet,
    Sleep,
    SysctlGet,
    SysctlSet,
)
from netsim.host.protocol import OpResult
from netsim.kernel.links.vxlan import Vxlan
from netsim.kernel.netfilter.conntrack import ORIGINAL

if TYPE_CHECKING:
    from netsim.kernel import Link
    from netsim.world import World

__all__ = ["SimHost"]


@final
class SimHost:
    """Applies :mod:`netsim.host.ops` to ``world``."""

    def __init__(self, world: World):
        self.world = world

    def namespaces(self) -> list[str]:
        names = sorted(n for n in self.world.kernel.namespaces if n != INIT_NET)
        return [INIT_NET, *names]

    def close(self) -> None:
        """Nothing to release: the world stays for inspection."""

    def apply(self, op: Op) -> OpResult:
        w = self.world
        match op:
            case NetnsAdd(name=name):
                w.netns_add(name)
            case NetnsDel(name=name):
                w.netns_del(name)
            case LinkAdd():
                self._link_add(op)
            case LinkSet():
                extra: dict[str, Any] = {}
                if op.master is not None:
                    extra["master"] = op.master or None
                w.link_set(op.ifname, netns=op.netns, up=op.up, to_netns=op.to_netns,
                           name=op.name, mtu=op.mtu, address=op.address, promisc=op.promisc,
                           alias=op.alias, allmulti=op.allmulti, **extra)  # fmt: skip
            case BridgePortSet():
                flags = {"hairpin": op.hairpin, "learning": op.learning, "flood": op.flood}
                w.bridge_link_set(op.ifname, netns=op.netns,
                                  **{k: v for k, v in flags.items() if v is not None})  # fmt: skip
            case LinkDel(netns=ns, ifname=ifname):
                w.link_del(ifname, netns=ns)
            case AddrAdd():
                w.addr_add(op.address, dev=op.ifname, netns=op.netns, broadcast=op.broadcast)
            case AddrDel():
                w.addr_del(op.address, dev=op.ifname, netns=op.netns)
            case RouteAdd():
                w.route_add(op.dst, netns=op.netns, via=op.via, dev=op.dev, table=op.table,
                            scope=op.scope, metric=op.metric or 0, src=op.src,
                            onlink=op.onlink, mode="replace" if op.replace else "add")  # fmt: skip
            case RouteDel():
                w.route_del(op.dst, netns=op.netns, via=op.via, dev=op.dev, table=op.table)
            case NeighAdd():
                w.neigh_add(op.dst, lladdr=op.lladdr, dev=op.dev, netns=op.netns, nud=op.nud,
                            replace=op.replace)  # fmt: skip
            case NeighDel():
                w.neigh_del(op.dst, dev=op.dev, netns=op.netns)
            case FdbAdd():
                self._fdb_add(op)
            case FdbDel():
                if isinstance(w.dev(op.dev, netns=op.netns), Vxlan) and not op.master:
                    w.vxlan_fdb_del(op.mac, dev=op.dev, netns=op.netns, dst=op.dst)
                else:
                    w.fdb_del(op.mac, dev=op.dev, netns=op.netns, master=op.master)
            case _:
                return self._query(op)
        return None

    def _query(self, op: Op) -> OpResult:
        """Sysctls, dumps and lookups, the programs a plugin runs, time, tc."""
        w = self.world
        match op:
            case SysctlSet():
                w.netns(op.netns).sysctl.set(op.key, op.value)
            case SysctlGet():
                return w.netns(op.netns).sysctl.get(op.key)
            case Dump():
                return self._dump(op)
            case LinkGet():
                dev = w.dev(op.ifname, netns=op.netns)
                w.kernel.linkwatch.sync_dev(dev)
                return [link_record(dev, details=True)]
            case RouteGet():
                return self._route_get(op)
            case ConntrackDelete():
                return self._conntrack_delete(op)
            case Iptables():
                return self._iptables(op)
            case Sleep(seconds=seconds):
                w.sleep(seconds)
            case QdiscAdd() | QdiscDel() | FilterAdd() | FilterDel():
                self._tc(op)
        return None

    def _route_get(self, op: RouteGet) -> list[dict[str, Any]]:
        """``ip -j route get``: the model has no IPv6 routes (``ENETUNREACH``)."""
        self.world.netns(op.netns)
        if ":" in op.dst:
            raise KernelError(errno.ENETUNREACH)
        return [route_get_record(self.world.route_get(op.dst, netns=op.netns))]

    def _conntrack_delete(self, op: ConntrackDelete) -> int:
        """The model's conntrack entries matching on their original tuple (none for
        IPv6: the model tracks no IPv6 flows)."""
        table = self.world.netns(op.netns).netfilter.conntrack
        if op.ipv6:
            return 0
        dst = ip4(op.dst) if op.dst is not None else None
        gone = 0
        for e in table.entries():
            proto, _, _, daddr, dport = e.tuples[ORIGINAL]
            if proto != op.proto or (dst is not None and daddr != dst):
                continue
            port = dport if proto in (6, 17, 132) else 0  # ICMP ids are no ports to netlink
            if op.dport is not None and port != op.dport:
                continue
            table.remove(e)
            gone += 1
        return gone

    def _tc(self, op: QdiscAdd | QdiscDel | FilterAdd | FilterDel) -> None:
        """The kernel model's RTM_{NEW,DEL}QDISC / RTM_{NEW,DEL}TFILTER."""
        from netsim.host.tcreq import PROTOCOLS, mirred_spec, tc_handle, tc_parent
        from netsim.kernel.sched import api

        dev = self.world.dev(op.dev, netns=op.netns)
        match op:
            case QdiscAdd():
                api.qdisc_modify(dev, parent=tc_parent(op.parent), handle=tc_handle(op.handle),
                                 kind=op.kind, options=op.options, flags=QDISC_MODES[op.mode])  # fmt: skip  # noqa: E501
            case QdiscDel():
                api.qdisc_del(dev, parent=tc_parent(op.parent), handle=tc_handle(op.handle),
                              kind=op.kind)  # fmt: skip
            case FilterAdd():
                ns = self.world.netns(op.netns)
                actions = [mirred_spec(a, ns.dev(str(a["dev"])).ifindex) for a in op.actions]
                keys = [dict(k, offmask=0) for k in op.keys]
                opts = {"flags": 1, "keys": keys, "classid": tc_handle(op.classid),
                        "actions": actions}  # fmt: skip
                api.filter_new(dev, parent=tc_parent(op.parent), prio=op.prio,
                               protocol=PROTOCOLS[op.protocol], kind=op.kind, handle=0,
                               options=opts, flags=QDISC_MODES[op.mode])  # fmt: skip
            case FilterDel():
                proto = PROTOCOLS[op.protocol] if op.protocol else 0
                api.filter_del(dev, parent=tc_parent(op.parent), prio=op.prio, protocol=proto,
                               kind=op.kind, handle=0)  # fmt: skip

    def _iptables(self, op: Iptables) -> str:
        """netsim's ``iptables`` (``ip6tables``) program, the simulated machine's
        userland, in the namespace."""
        import io

        from netsim.shell.proc import Proc
        from netsim.tools.iptables import iptables_main

        argv = ("ip6tables" if op.ipv6 else "iptables", *op.args)
        out, err = io.StringIO(), io.StringIO()
        self.world.kernel.netns(op.netns)  # NoSuchNetns, as ip netns exec finds
        proc = Proc(self.world, op.netns, list(argv), "", {}, out, err)
        status = iptables_main(proc)
        if status != 0:
            raise CommandFailed(argv, status, err.getvalue())
        return out.getvalue()

    def _link_add(self, op: LinkAdd) -> None:
        """``RTM_NEWLINK``: the device made in ``to_netns`` when given
        (``IFLA_NET_NS_FD``), its lower (``link``) and a veth's default peer
        namespace being the request's; ``IFLA_TXQLEN`` applied to any kind."""
        w, d = self.world, op.data
        ns = op.to_netns or op.netns
        dev: Link
        if op.kind == "veth":
            dev = w.add_veth(op.ifname, d.get("peer", "veth%d"), netns=ns,
                             peer_netns=d.get("peer_netns") or op.netns, address=op.address,
                             peer_address=d.get("peer_address"), mtu=op.mtu)  # fmt: skip
            if op.txqlen is not None and dev.peer is not None:
                dev.peer.txqlen = op.txqlen
        elif op.kind == "bridge":
            dev = w.add_bridge(op.ifname, netns=ns, address=op.address)
            if op.mtu is not None:
                w.link_set(dev.ifname, netns=ns, mtu=op.mtu)
        elif op.kind == "vxlan":
            if op.to_netns is not None:
                raise NetsimError("LinkAdd: a vxlan made in another namespace is not modelled")
            opts = {k: v for k, v in d.items() if k != "id"}
            dev = w.add_vxlan(op.ifname, int(d["id"]), netns=ns, address=op.address, mtu=op.mtu,
                              **opts)  # fmt: skip
        elif op.kind == "dummy":
            dev = w.add_dummy(op.ifname, netns=ns, address=op.address, mtu=op.mtu)
        elif op.kind == "macvlan":
            dev = w.add_macvlan(op.ifname, op.link, netns=ns, mode=d.get("mode"),
                                address=op.address, mtu=op.mtu, link_netns=op.netns)  # fmt: skip
        elif op.kind == "ipvlan":
            dev = w.add_ipvlan(op.ifname, op.link, netns=ns, mode=d.get("mode"), mtu=op.mtu,
                               link_netns=op.netns)  # fmt: skip
        elif op.kind == "vlan":
            dev = w.add_vlan(op.ifname, op.link, int(d["id"]), netns=ns, address=op.address,
                             mtu=op.mtu, link_netns=op.netns)  # fmt: skip
        elif op.kind == "ifb":  # its txqlen is part of making it (0: no queue)
            w.add_ifb(op.ifname, netns=ns, address=op.address, mtu=op.mtu, txqlen=op.txqlen)
            return
        else:
            raise NetsimError(f"LinkAdd: kind {op.kind!r} is not modelled")
        if op.txqlen is not None:
            dev.txqlen = op.txqlen

    def _fdb_add(self, op: FdbAdd) -> None:
        w = self.world
        dev = w.dev(op.dev, netns=op.netns)
        if isinstance(dev, Vxlan) and not op.master:
            w.vxlan_fdb_add(op.mac, dev=op.dev, netns=op.netns, dst=op.dst, port=op.port,
                            vni=op.vni, via=op.via, state=op.state, op=op.mode)  # fmt: skip
            return
        w.fdb_add(op.mac, dev=op.dev, netns=op.netns, master=op.master, state=op.state,
                  replace=op.mode != "add")  # fmt: skip

    def _dump(self, op: Dump) -> list[dict[str, Any]]:
        ns = self.world.netns(op.netns)
        if op.dev is not None and op.dev not in ns:
            return []
        match op.what:
            case "link":
                return link_records(ns, details=True)
            case "addr":
                return addr_records(ns, op.dev)
            case "route":
                return route_records(ns, table="all")
            case "rule":
                return rule_records(ns)
            case "neigh":
                return neigh_records(ns)
            case "fdb":
                return fdb_records(ns)
            case "qdisc" | "filter":
                return tc_records(ns, op.what)
        return bridge_link_records(ns)
