"""Host operations as pyroute2 requests, run by the agent inside the sandbox.

One ``RTM_NEW*``/``RTM_DEL*``/``RTM_SET*`` request per operation, with what
iproute2 6.1 puts in it (``ip link``, ``ip addr``, ``ip route``, ``ip neigh``,
``bridge fdb``), so the kernel answers as it answers the real tools.  Names are
looked up first, as iproute2 does (``Cannot find device "x"``).  Every socket
is opened inside its namespace by pyroute2's fork-and-pass-fd
(``IPRoute(netns=NAME)``); the agent's own thread never changes namespace.
Namespaces, sysctls and dumps go through the real ``ip``/``sysctl`` (see
:mod:`netsim.backends.linux.dumps`); the link requests are in
:mod:`netsim.backends.linux.apply_link`.
"""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Any, Final

from netsim.backends.linux.apply_link import link_add, link_set
from netsim.backends.linux.dumps import conntrack_delete, dump, link_get, route_get, run_tool
from netsim.errors import KernelError, NoSuchDevice, NoSuchNetns
from netsim.host.ops import (
    INIT_NET,
    AddrAdd,
    AddrDel,
    BridgePortSet,
    ConntrackDelete,
    Dump,
    FdbAdd,
    FdbDel,
    FilterAdd,
    FilterDel,
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
    SysctlGet,
    SysctlSet,
)
from netsim.host.protocol import OpResult

__all__ = ["Applier", "KindUnavailable"]

NETNS_DIR = "/run/netns"
_NUD = {"permanent": 0x80, "noarp": 0x40, "reachable": 0x02, "stale": 0x04, "delay": 0x08,
        "probe": 0x10, "failed": 0x20, "incomplete": 0x01, "none": 0x00}  # fmt: skip
#: ``bridge fdb``'s state words as iproute2 6.1 sends them (``ndm_state``).
_FDB_NUD = {"permanent": 0xC0, "static": 0x42, "dynamic": 0x02}
_NTF_SELF, _NTF_MASTER = 0x02, 0x04
_SCOPES = {"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
_RTNH_F_ONLINK = 4


#: Kind -> (module, kernel config option) that provides it.
_MODULES: Final = {
    "dummy": ("dummy", "CONFIG_DUMMY"),
    "vlan": ("8021q", "CONFIG_VLAN_8021Q"),
    "ipvlan": ("ipvlan", "CONFIG_IPVLAN"),
    "macvlan": ("macvlan", "CONFIG_MACVLAN"),
    "vxlan": ("vxlan", "CONFIG_VXLAN"),
    "vrf": ("vrf", "CONFIG_NET_VRF"),
    "bridge": ("bridge", "CONFIG_BRIDGE"),
    "veth": ("veth", "CONFIG_VETH"),
    "ifb": ("ifb", "CONFIG_IFB"),
}


class KindUnavailable(KernelError):
    """This kernel cannot make devices of ``kind`` (its module is missing):
    ``EOPNOTSUPP``, "Unknown device type", with a message naming the kind."""

    def __init__(self, kind: str):
        self.kind = kind
        module, config = _MODULES.get(kind, (kind, "its CONFIG_ option"))
        super().__init__(
            errno.EOPNOTSUPP,
            "Unknown device type",
            message=f"Error: Unknown device type. (this kernel cannot make {kind} devices: "
            f"module {module} is not loaded and cannot be loaded from the sandbox; "
            f"modprobe {module} on the machine, or use a kernel with {config})",
        )


class Applier:
    """Applies operations with pyroute2, one ``IPRoute`` per namespace."""

    def __init__(self) -> None:
        self._sockets: dict[str, Any] = {}

    def close(self) -> None:
        for ipr in self._sockets.values():
            ipr.close()
        self._sockets.clear()

    def apply(self, op: Op) -> OpResult:
        """Apply ``op``; raise :class:`KernelError` as iproute2 would show it."""
        from pyroute2.netlink.exceptions import NetlinkError

        try:
            return self._apply(op)
        except NetlinkError as e:
            code = int(e.code)
            msg = str(e.args[1]) if len(e.args) > 1 else ""
            extack = None if msg in ("", os.strerror(code)) else msg
            if code == errno.EOPNOTSUPP and extack == "Unknown device type":
                assert isinstance(op, LinkAdd)
                raise KindUnavailable(op.kind) from None
            raise KernelError(code, extack) from None

    def _apply(self, op: Op) -> OpResult:
        match op:
            case NetnsAdd(name=name):
                run_tool(["ip", "netns", "add", name])
            case NetnsDel(name=name):
                self._netns_del(name)
            case LinkAdd():
                link_add(self, op)
            case LinkSet():
                link_set(self, op)
            case LinkDel():
                ipr = self.ipr(op.netns)
                ipr.link("del", index=self.index(ipr, op.ifname))
            case AddrAdd() | AddrDel():
                self._addr(op)
            case RouteAdd() | RouteDel():
                self._route(op)
            case NeighAdd() | NeighDel():
                self._neigh(op)
            case FdbAdd() | FdbDel():
                self._fdb(op)
            case SysctlSet():
                self.ipr(op.netns)  # the namespace must exist
                run_tool(["sysctl", "-q", "-w", f"{op.key}={op.value}"], netns=op.netns)
            case SysctlGet():
                self.ipr(op.netns)
                return run_tool(["sysctl", "-n", op.key], netns=op.netns).rstrip("\n")
            case Dump():
                self.ipr(op.netns)
                return dump(op.what, op.netns, op.dev)
            case LinkGet():
                self.index(self.ipr(op.netns), op.ifname)  # Cannot find device
                return link_get(op.netns, op.ifname)
            case BridgePortSet():
                self._brport(op)
            case RouteGet():
                self.ipr(op.netns)
                return route_get(op.dst, op.netns)
            case ConntrackDelete():
                self.ipr(op.netns)
                return conntrack_delete(op)
            case QdiscAdd() | QdiscDel() | FilterAdd() | FilterDel():
                self._tc(op)
        return None

    def _tc(self, op: QdiscAdd | QdiscDel | FilterAdd | FilterDel) -> None:
        """One raw tc request (:mod:`netsim.backends.linux.tcnl`), sent from inside
        the namespace by ``python -m netsim.backends.linux.tcnl``."""
        import json
        import subprocess
        import sys

        from netsim.backends.linux import tcnl
        from netsim.host.ops import QDISC_MODES
        from netsim.host.tcreq import PROTOCOLS, mirred_spec, tc_handle, tc_parent

        ipr = self.ipr(op.netns)
        ifindex = self.index(ipr, op.dev)
        match op:
            case QdiscAdd():
                req = tcnl.qdisc_request(
                    delete=False, flags=QDISC_MODES[op.mode], ifindex=ifindex,
                    handle=tc_handle(op.handle), parent=tc_parent(op.parent), kind=op.kind,
                    options=op.options)  # fmt: skip
            case QdiscDel():
                req = tcnl.qdisc_request(
                    delete=True, flags=0, ifindex=ifindex, handle=tc_handle(op.handle),
                    parent=tc_parent(op.parent), kind=op.kind, options=None)  # fmt: skip
            case FilterAdd():
                acts = [mirred_spec(a, self.index(ipr, str(a["dev"]))) for a in op.actions]
                opts = {"flags": 1, "keys": op.keys, "classid": tc_handle(op.classid),
                        "actions": acts}  # fmt: skip
                req = tcnl.filter_request(
                    delete=False, flags=QDISC_MODES[op.mode], ifindex=ifindex,
                    parent=tc_parent(op.parent), prio=op.prio, protocol=PROTOCOLS[op.protocol],
                    kind=op.kind, options=opts)  # fmt: skip
            case FilterDel():
                req = tcnl.filter_request(
                    delete=True, flags=0, ifindex=ifindex, parent=tc_parent(op.parent),
                    prio=op.prio, protocol=PROTOCOLS[op.protocol] if op.protocol else 0,
                    kind=op.kind, options=None)  # fmt: skip
        argv = [sys.executable, "-m", "netsim.backends.linux.tcnl"]
        if op.netns != INIT_NET:
            argv = ["ip", "netns", "exec", op.netns, *argv]
        r = subprocess.run(argv, input=req.hex(), capture_output=True, text=True, timeout=60,
                           check=False)  # fmt: skip
        if r.returncode != 0:
            raise KernelError(errno.EIO, message=f"netsim: tcnl failed: {r.stderr.strip()}")
        answer = json.loads(r.stdout)
        if answer["errno"]:
            raise KernelError(int(answer["errno"]), answer["extack"])

    # --- sockets and names ---------------------------------------------------------------

    def ipr(self, netns: str) -> Any:
        """The ``IPRoute`` of ``netns`` (``init_net``: the sandbox's own namespace)."""
        ipr = self._sockets.get(netns)
        if ipr is not None:
            return ipr
        from pyroute2 import IPRoute

        if netns == INIT_NET:
            ipr = IPRoute(ext_ack=True)
        else:
            if "/" in netns or not os.path.exists(os.path.join(NETNS_DIR, netns)):
                raise NoSuchNetns(netns)
            ipr = IPRoute(netns=netns, flags=0, ext_ack=True)
        self._sockets[netns] = ipr
        return ipr

    def index(self, ipr: Any, ifname: str) -> int:
        """``ll_name_to_index()``: the device's ifindex, or ``Cannot find device``."""
        found = ipr.link_lookup(ifname=ifname)
        if not found:
            raise NoSuchDevice(ifname)
        return int(found[0])

    def netns_fd(self, netns: str) -> int:
        """An open fd of ``netns`` (for ``IFLA_NET_NS_FD``); the caller closes it."""
        if netns == INIT_NET:
            return os.open("/proc/self/ns/net", os.O_RDONLY)
        self.ipr(netns)
        return os.open(os.path.join(NETNS_DIR, netns), os.O_RDONLY)

    def _netns_del(self, name: str) -> None:
        """``ip netns del``, after deleting its devices: the kernel's
        ``default_device_exit_batch()`` does that too, but later, from a workqueue;
        deleting them first makes a veth's peer elsewhere go before this returns."""
        from pyroute2.netlink.exceptions import NetlinkError

        if "/" in name or not os.path.exists(os.path.join(NETNS_DIR, name)):
            run_tool(["ip", "netns", "del", name])  # its own words for it
        ipr = self.ipr(name)
        for link in ipr.get_links():
            if link.get("index") != 1 and link.get_attr("IFLA_LINKINFO") is not None:
                with contextlib.suppress(NetlinkError):  # went with a peer deleted before it
                    ipr.link("del", index=link["index"])
        ipr.close()
        del self._sockets[name]
        run_tool(["ip", "netns", "del", name])

    # --- links ---------------------------------------------------------------------------

    def _brport(self, op: BridgePortSet) -> None:
        """``bridge link set dev IFNAME hairpin|learning|flood on|off`` with the real
        ``bridge`` (one ``RTM_SETLINK`` with ``IFLA_PROTINFO``, as netlink's
        ``LinkSetHairpin`` sends)."""
        self.index(self.ipr(op.netns), op.ifname)
        argv = ["bridge", "link", "set", "dev", op.ifname]
        for word, value in (("hairpin", op.hairpin), ("learning", op.learning),
                            ("flood", op.flood)):  # fmt: skip
            if value is not None:
                argv += [word, "on" if value else "off"]
        run_tool(argv, netns=op.netns)

    # --- addresses, routes, neighbours, fdb ------------------------------------------------

    def _addr(self, op: AddrAdd | AddrDel) -> None:
        ipr = self.ipr(op.netns)
        index = self.index(ipr, op.ifname)
        address, _, plen = op.address.partition("/")
        req: dict[str, Any] = {"index": index, "address": address,
                               "prefixlen": int(plen or 32)}  # fmt: skip
        if isinstance(op, AddrAdd) and op.broadcast is not None:
            req["broadcast"] = op.broadcast
        ipr.addr("add" if isinstance(op, AddrAdd) else "del", **req)

    def _route(self, op: RouteAdd | RouteDel) -> None:
        ipr = self.ipr(op.netns)
        dst = "0.0.0.0/0" if op.dst == "default" else op.dst
        prefix, _, plen = dst.partition("/")
        req: dict[str, Any] = {"dst": prefix, "dst_len": int(plen or 32),
                               "table": op.table or 254, "family": 2}  # fmt: skip
        if op.via is not None:
            req["gateway"] = op.via
        if op.dev is not None:
            req["oif"] = self.index(ipr, op.dev)
        if isinstance(op, RouteDel):
            req.update(proto=0, scope=_SCOPES["nowhere"], type=0)
            ipr.route("del", **req)
            return
        req.update(proto=3, type=1)  # boot, unicast: what ip route add sends
        if op.scope is not None:
            req["scope"] = _SCOPES.get(op.scope, op.scope)
        else:
            req["scope"] = 0 if op.via is not None else _SCOPES["link"]
        if op.src is not None:
            req["prefsrc"] = op.src
        if op.metric is not None:
            req["priority"] = op.metric
        if op.onlink:
            req["flags"] = _RTNH_F_ONLINK
        ipr.route("replace" if op.replace else "add", **req)

    def _neigh(self, op: NeighAdd | NeighDel) -> None:
        ipr = self.ipr(op.netns)
        req: dict[str, Any] = {"dst": op.dst, "ifindex": self.index(ipr, op.dev), "family": 2}
        if isinstance(op, NeighDel):
            ipr.neigh("del", **req)
            return
        req.update(lladdr=op.lladdr, state=_NUD[op.nud])
        ipr.neigh("replace" if op.replace else "add", **req)

    def _fdb(self, op: FdbAdd | FdbDel) -> None:
        ipr = self.ipr(op.netns)
        req: dict[str, Any] = {"ifindex": self.index(ipr, op.dev), "lladdr": op.mac,
                               "flags": _NTF_MASTER if op.master else _NTF_SELF}  # fmt: skip
        if op.dst is not None:
            req["dst"] = op.dst
        if isinstance(op, FdbDel):
            ipr.fdb("del", **req)
            return
        req["state"] = _FDB_NUD[op.state]
        if op.port is not None:
            req["port"] = op.port
        if op.vni is not None:
            req["vni"] = op.vni
        if op.via is not None:
            req["NDA_IFINDEX"] = self.index(ipr, op.via)
        ipr.fdb(op.mode, **req)
