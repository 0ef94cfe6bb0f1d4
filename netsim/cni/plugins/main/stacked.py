"""What the macvlan, ipvlan and vlan plugins of containernetworking/plugins v1.1.1
share, as generators of :mod:`netsim.host.ops`:

* ``loadConf``'s JSON decoding with Go's type errors (:func:`load_json`, :func:`conf_int`,
  :func:`conf_str`);
* ``getDefaultRouteInterfaceName`` and ``getMTUByName`` (:func:`default_route_interface`,
  :func:`mtu_by_name`);
* ``createMacvlan`` / ``createIpvlan`` / ``createVlan`` (:func:`create_stacked`): the
  device made with a random ``vethXXXXXXXX`` name straight in the container's
  namespace (``netlink.LinkAdd`` with ``Namespace: NsFd``, so the kernel draws its
  ifindex there and the master is found in the host's), then ``ip.RenameLink`` to
  ``CNI_IFNAME`` and refetched;
* ``ip.DelLinkByName`` (:func:`del_link_by_name`) and the DEL that tolerates a gone
  namespace (:func:`del_in_netns`);
* the front half of each ``cmdCheck`` (:func:`container_iface`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from netsim.cni.driver import Context, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import GoJsonError, field, type_name, unmarshal
from netsim.cni.plugins.main.common import errstr, link_by_name, random_veth_name
from netsim.cni.plugins.netns import NSPathNotExist, get_ns
from netsim.cni.result import Interface, Result
from netsim.cni.runtime_result import result_from_json
from netsim.cni.skel import CmdArgs
from netsim.errors import NetsimError
from netsim.host.ops import Dump, LinkAdd, LinkDel, LinkSet

__all__ = [
    "conf_int",
    "conf_str",
    "container_iface",
    "create_stacked",
    "default_route_interface",
    "del_in_netns",
    "del_link_by_name",
    "load_json",
    "mtu_by_name",
    "prev_result",
]


def load_json(stdin: str) -> dict[str, Any]:
    """``json.Unmarshal(bytes, n)``: ``failed to load netconf: ...`` on bad JSON."""
    try:
        obj = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"failed to load netconf: {e}") from None
    if not isinstance(obj, dict):
        raise CniError(f"failed to load netconf: json: cannot unmarshal {type_name(obj)} "
                       "into Go value of type main.NetConf")  # fmt: skip
    return obj


def _type_error(v: Any, key: str, gotype: str) -> CniError:
    what = type_name(v)
    if what == "number":
        what = f"number {v}"
    return CniError(f"failed to load netconf: json: cannot unmarshal {what} into Go struct "
                    f"field NetConf.{key} of type {gotype}")  # fmt: skip


def conf_int(obj: dict[str, Any], key: str) -> int:
    """An ``int`` field (``null`` or absent: 0); Go's type error otherwise."""
    v = field(obj, key)
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _type_error(v, key, "int")
    if isinstance(v, float) and (not math.isfinite(v) or v != int(v)):
        raise _type_error(v, key, "int")
    return int(v)


def conf_str(obj: dict[str, Any], key: str) -> str:
    """A ``string`` field (``null`` or absent: empty); Go's type error otherwise."""
    v = field(obj, key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise _type_error(v, key, "string")
    return v


def default_route_interface(ns: str) -> PluginGen[str]:
    """``getDefaultRouteInterfaceName``: the device of the first route without a
    destination in the main table (``netlink.RouteList(nil, FAMILY_ALL)``); a
    route with no device (multipath, blackhole) is ``LinkByIndex(0)``'s EINVAL."""
    records = yield Dump(netns=ns, what="route")
    assert isinstance(records, list)
    for r in records:
        if r.get("table", "main") != "main" or r.get("dst") != "default":
            continue
        if not r.get("dev"):
            raise CniError("invalid argument")
        return str(r["dev"])
    raise CniError("no default route interface found")


def mtu_by_name(ns: str, name: str) -> PluginGen[int]:
    """``getMTUByName``: ``Link not found`` as ``netlink.LinkByName`` says it."""
    rec = yield from link_by_name(ns, name)
    if rec is None:
        raise CniError("Link not found")
    return int(rec.get("mtu", 0))


def create_stacked(ctx: Context, args: CmdArgs, cont_ns: str, *, kind: str, master: str,
                   mtu: int, data: dict[str, Any], address: str | None = None,
                   delete_on_rename_failure: bool = False) -> PluginGen[Interface]:  # fmt: skip
    """``createMacvlan`` / ``createIpvlan`` / ``createVlan`` after the mode check:
    master lookup, the device made under a random name in the container (MTU only
    when set; ``IFLA_TXQLEN`` 0, as ``netlink.LinkAttrs{}`` sends it), renamed to
    ``CNI_IFNAME`` (macvlan deletes it when that fails, ipvlan and vlan leave it),
    refetched for its MAC."""
    host = ctx.host_netns
    if (yield from link_by_name(host, master)) is None:
        raise CniError(f'failed to lookup master "{master}": Link not found')
    tmp = random_veth_name(ctx.rng)
    try:
        yield LinkAdd(netns=host, ifname=tmp, kind=kind, link=master, to_netns=cont_ns,
                      mtu=mtu if mtu > 0 else None, address=address, txqlen=0,
                      data=data)  # fmt: skip
    except NetsimError as e:
        raise CniError(f"failed to create {kind}: {errstr(e)}") from None
    ifname = args.ifname
    try:
        if (yield from link_by_name(cont_ns, tmp)) is None:
            raise CniError("Link not found")
        try:
            yield LinkSet(netns=cont_ns, ifname=tmp, name=ifname)
        except NetsimError as e:
            raise CniError(errstr(e)) from None
    except CniError as e:
        if delete_on_rename_failure:
            try:  # noqa: SIM105  (_ = netlink.LinkDel(mv))
                yield LinkDel(netns=cont_ns, ifname=tmp)
            except NetsimError:
                pass
        raise CniError(f'failed to rename {kind} to "{ifname}": {e.msg}') from None
    rec = yield from link_by_name(cont_ns, ifname)
    if rec is None:
        raise CniError(f'failed to refetch {kind} "{ifname}": Link not found')
    return Interface(ifname, str(rec.get("address", "")), args.netns)


def del_link_by_name(ns: str, ifname: str) -> PluginGen[bool]:
    """``ip.DelLinkByName``: False for ``ErrLinkNotFound``."""
    if (yield from link_by_name(ns, ifname)) is None:
        return False
    try:
        yield LinkDel(netns=ns, ifname=ifname)
    except NetsimError as e:
        raise CniError(f'failed to delete "{ifname}": {errstr(e)}') from None
    return True


def del_in_netns(ctx: Context, args: CmdArgs) -> PluginGen[None]:
    """The end of each ``cmdDel``: nothing without ``CNI_NETNS``; else
    ``ns.WithNetNSPath`` deleting ``CNI_IFNAME`` (absent: fine; a namespace that
    is gone, ``NSPathNotExistErr``: fine)."""
    if not args.netns:
        return None
    try:
        ns = yield from get_ns(ctx, args.netns)
    except NSPathNotExist:
        return None
    yield from del_link_by_name(ns, args.ifname)
    return None


def prev_result(obj: dict[str, Any], missing: str = "Required prevResult missing") -> Result:
    """``version.ParsePrevResult`` + ``current.NewResultFromResult``."""
    raw = field(obj, "prevResult")
    if raw is None:
        raise CniError(missing)
    return result_from_json(raw)


def container_iface(args: CmdArgs, result: Result) -> Interface:
    """``cmdCheck``'s ``contMap``: the interface named ``CNI_IFNAME`` in
    ``CNI_NETNS``, or ``Sandbox in prevResult ... doesn't match``."""
    cont = Interface("")
    for intf in result.interfaces:
        if intf.name == args.ifname and intf.sandbox == args.netns:
            cont = intf
    if args.netns != cont.sandbox:
        raise CniError(f"Sandbox in prevResult {cont.sandbox} doesn't match configured netns: {args.netns}")  # fmt: skip  # noqa: E501
    return cont


def container_link(ns: str, intf: Interface, kind: str = "", *,
                   prefix: str = "") -> PluginGen[dict[str, Any]]:  # fmt: skip
    """The start of the plugins' ``validateCniContainerInterface``: the
    prevResult interface has a name, exists in ``ns``, is in a sandbox and (with
    ``kind``) is of that kind; its link record.  ``prefix`` is vlan's ``vlan: ``
    on the lookup errors (vlan.go wraps those two, not the kind check)."""
    if not intf.name:
        raise CniError("Container interface name missing in prevResult: ")
    rec = yield from link_by_name(ns, intf.name)
    if rec is None:
        raise CniError(f"{prefix}Container Interface name in prevResult: {intf.name} not found")
    if not intf.sandbox:
        raise CniError(f"{prefix}Error: Container interface {intf.name} should not be in host namespace")  # fmt: skip  # noqa: E501
    if kind and rec.get("linkinfo", {}).get("info_kind") != kind:
        raise CniError(f"Error: Container interface {intf.name} not of type {kind}")
    return rec


def check_stacked(
    args: CmdArgs,
    ctx: Context,
    conf_obj: dict[str, Any],
    ipam_type: str,
    master: str,
    validate: Callable[[str, Interface], PluginGen[None]],
) -> PluginGen[None]:
    """The ``cmdCheck`` macvlan.go and ipvlan.go share after loading the config:
    the netns, IPAM's CHECK, the master present, the container's link
    (``validate``), its addresses and routes as ``prevResult`` has them."""
    from netsim.cni.plugins.main.common import exec_ipam
    from netsim.cni.plugins.main.iface import validate_ips, validate_routes

    try:
        ns = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    if ipam_type:
        yield from exec_ipam("CHECK", ipam_type, args)
    result = prev_result(conf_obj)
    cont = container_iface(args, result)
    if (yield from link_by_name(ctx.host_netns, master)) is None:
        raise CniError(f'failed to lookup master "{master}": Link not found')
    yield from validate(ns, cont)
    yield from validate_ips(ns, args.ifname, result)
    yield from validate_routes(ns, result)
