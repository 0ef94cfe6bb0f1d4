"""The host-device plugin: ``plugins/main/host-device/host-device.go`` of
containernetworking/plugins v1.1.1 (``loadConf``, ``hasDpdkDriver``, ``getLink``,
``moveLinkIn``, ``moveLinkOut``, ``printLink``, ``cmdAdd``, ``cmdDel``,
``cmdCheck``) as generators of host operations.

A host device, chosen by ``device`` (name), else ``hwaddr``, else ``kernelpath``,
else ``pciBusID`` (``runtimeConfig.deviceID`` overrides it), is moved into the
container's namespace under its own name, set down, given its host name as
alias (``IFLA_IFALIAS``), renamed to ``CNI_IFNAME`` and set up; IPAM, if any,
configures it.  DEL sets it down, renames it back to its alias and moves it to
the plugin's namespace (it stays down, the alias stays); a namespace that is
gone is an error here, unlike the other main plugins.

The model has a PCI bus without devices, so every ``pciBusID`` fails as
``hasDpdkDriver`` finds no ``/sys/bus/pci/devices/X`` (DPDK mode is never
reached); of ``/sys/devices`` only ``/sys/devices/virtual/net`` lists devices
(every device of the model is virtual): the plugin's namespace's, by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import field
from netsim.cni.plugins.main.common import dns_of, errstr, exec_ipam, link_by_name, parse_mac
from netsim.cni.plugins.main.iface import configure_iface, validate_ips, validate_routes
from netsim.cni.plugins.main.stacked import (
    conf_str,
    container_iface,
    container_link,
    load_json,
    prev_result,
)
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface, IPConfig, Result
from netsim.cni.skel import CmdArgs
from netsim.errors import NetsimError
from netsim.host.ops import Dump, LinkSet

__all__ = ["HOST_DEVICE", "HostDeviceConf", "cmd_add", "cmd_check", "cmd_del", "load_conf"]

SYS_BUS_PCI: Final = "/sys/bus/pci/devices"
#: What of the PCI bus exists in the model: the directories, no device.
_PCI_DIRS: Final = frozenset({"/sys", "/sys/bus", "/sys/bus/pci", SYS_BUS_PCI})
#: The one ``/sys/devices/.../net`` directory of the model.
VIRTUAL_NET: Final = "/sys/devices/virtual/net"


@dataclass(frozen=True)
class HostDeviceConf:
    """``NetConf`` of host-device.go after ``loadConf``."""

    device: str
    hwaddr: str
    kernelpath: str
    pciaddr: str
    ipam_type: str
    obj: dict[str, Any]


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean``: lexical, ``..`` above the root dropped, one leading slash."""
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append(part)
            continue
        out.append(part)
    text = "/".join(out)
    return ("/" + text) if rooted else (text or ".")


def go_join(*parts: str) -> str:
    """``filepath.Join``: the non-empty parts joined and cleaned (no reset on ``/``)."""
    return go_clean("/".join(p for p in parts if p))


def load_conf(stdin: str) -> HostDeviceConf:
    """``loadConf``: ``runtimeConfig.deviceID`` as ``pciBusID``, one selector
    required, ``hasDpdkDriver`` for a PCI address."""
    obj = load_json(stdin)
    pciaddr = conf_str(obj, "pciBusID")
    runtime = field(obj, "runtimeConfig")
    if isinstance(runtime, dict) and field(runtime, "deviceID"):
        pciaddr = str(field(runtime, "deviceID"))
    device, hwaddr, kernelpath = conf_str(obj, "device"), conf_str(obj, "hwaddr"), conf_str(obj, "kernelpath")  # fmt: skip  # noqa: E501
    if not (device or hwaddr or kernelpath or pciaddr):
        raise CniError('specify either "device", "hwaddr", "kernelpath" or "pciBusID"')
    if pciaddr:
        _has_dpdk_driver(pciaddr)
    ipam = field(obj, "ipam")
    ipam_type = str(field(ipam, "type") or "") if isinstance(ipam, dict) else ""
    return HostDeviceConf(device, hwaddr, kernelpath, pciaddr, ipam_type, obj)


def _has_dpdk_driver(pciaddr: str) -> bool:
    """``hasDpdkDriver``: ``filepath.EvalSymlinks`` of ``/sys/bus/pci/devices/X/driver``
    fails at the first missing component (always, with no PCI devices)."""
    path = go_join(SYS_BUS_PCI, pciaddr, "driver")
    cur = ""
    for part in path.strip("/").split("/"):
        cur = f"{cur}/{part}"
        if cur not in _PCI_DIRS:
            raise CniError(f"error with host device: lstat {cur}: no such file or directory")
    return False  # not reached: a driver's directory is no bus directory


def get_link(host: str, conf: HostDeviceConf) -> PluginGen[dict[str, Any]]:
    """``getLink``: by name, else the first device with ``hwaddr``, else the
    first entry of ``<kernelpath>/net`` that is a device."""
    links = yield Dump(netns=host, what="link")
    assert isinstance(links, list)
    if conf.device:
        rec = next((r for r in links if r.get("ifname") == conf.device), None)
        if rec is None:
            raise CniError("Link not found")
        return dict(rec)
    if conf.hwaddr:
        want = parse_mac(conf.hwaddr, f'failed to parse MAC address "{conf.hwaddr}": ')
        for rec in links:
            if str(rec.get("address", "")).lower() == want:
                return dict(rec)
    elif conf.kernelpath:
        if not conf.kernelpath.startswith("/sys/devices/"):
            raise CniError(f'kernel device path "{conf.kernelpath}" must be absolute and begin with /sys/devices/')  # fmt: skip  # noqa: E501
        net_dir = go_join(conf.kernelpath, "net")
        if net_dir != VIRTUAL_NET:
            raise CniError(f'failed to find network devices at "{net_dir}"')
        for name in sorted(str(r.get("ifname")) for r in links):  # ioutil.ReadDir: by name
            rec = next((r for r in links if r.get("ifname") == name), None)
            if rec is not None:
                return dict(rec)
    raise CniError("failed to find physical interface")


def move_link_in(host: str, cont: str, dev: str, ifname: str) -> PluginGen[dict[str, Any]]:
    """``moveLinkIn``: into the namespace, down, alias = host name, renamed, up, refetched."""
    try:
        yield LinkSet(netns=host, ifname=dev, to_netns=cont)
    except NetsimError as e:
        raise CniError(errstr(e)) from None
    if (yield from link_by_name(cont, dev)) is None:
        raise CniError(f'failed to find "{dev}": Link not found')
    steps = ((LinkSet(netns=cont, ifname=dev, up=False), f'failed to set "{dev}" down'),
             (LinkSet(netns=cont, ifname=dev, alias=dev), f'failed to set alias to "{dev}"'),
             (LinkSet(netns=cont, ifname=dev, name=ifname), f'failed to rename device "{dev}" to "{ifname}"'),  # noqa: E501
             (LinkSet(netns=cont, ifname=ifname, up=True), f'failed to set "{ifname}" up'))  # fmt: skip  # noqa: E501
    for op, what in steps:
        try:
            yield op
        except NetsimError as e:
            raise CniError(f"{what}: {errstr(e)}") from None
    rec = yield from link_by_name(cont, ifname)
    if rec is None:
        raise CniError(f'failed to find "{ifname}": Link not found')
    return rec


def move_link_out(host: str, cont: str, ifname: str) -> PluginGen[None]:
    """``moveLinkOut``: down, renamed to its alias, moved to the plugin's namespace;
    when the rename or the move fails, renamed back to ``ifname`` and set up again
    if it was up."""
    rec = yield from link_by_name(cont, ifname)
    if rec is None:
        raise CniError(f'failed to find "{ifname}": Link not found')
    try:
        yield LinkSet(netns=cont, ifname=ifname, up=False)
    except NetsimError as e:
        raise CniError(f'failed to set "{ifname}" down: {errstr(e)}') from None
    alias, was_up = str(rec.get("ifalias", "")), "UP" in rec.get("flags", [])
    name = ifname
    try:
        if alias:  # an empty IFLA_IFNAME renames nothing
            try:
                yield LinkSet(netns=cont, ifname=ifname, name=alias)
            except NetsimError as e:
                raise CniError(f'failed to restore "{ifname}" to original name "{alias}": {errstr(e)}') from None  # fmt: skip  # noqa: E501
            name = alias
        try:
            yield LinkSet(netns=cont, ifname=name, to_netns=host)
        except NetsimError as e:
            raise CniError(f'failed to move "{alias}" to host netns: {errstr(e)}') from None
    except CniError:
        for op in (LinkSet(netns=cont, ifname=name, name=ifname),
                   LinkSet(netns=cont, ifname=ifname, up=True) if was_up else None):  # fmt: skip
            if op is not None:
                try:  # noqa: SIM105
                    yield op
                except NetsimError:
                    pass
        raise


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = load_conf(args.stdin)
    try:
        cont = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    try:
        host_dev = yield from get_link(ctx.host_netns, conf)
    except CniError as e:
        raise CniError(f"failed to find host device: {e.msg}") from None
    try:
        dev = yield from move_link_in(ctx.host_netns, cont, str(host_dev["ifname"]), args.ifname)
    except CniError as e:
        raise CniError(f"failed to move link {e.msg}") from None
    iface = Interface(str(dev["ifname"]), str(dev.get("address", "")), args.netns)
    if not conf.ipam_type:  # printLink
        return Result(interfaces=(iface,))
    ipam = yield from exec_ipam("ADD", conf.ipam_type, args)
    assert ipam is not None
    if not ipam.ips:
        raise CniError("IPAM plugin returned missing IP config")
    ips = tuple(IPConfig(i.address, i.gateway, 0) for i in ipam.ips)
    result = Result(interfaces=(iface,), ips=ips, routes=ipam.routes)
    try:
        yield from configure_iface(cont, args.ifname, result)
    except CniError:
        try:  # noqa: SIM105
            yield from exec_ipam("DEL", conf.ipam_type, args)
        except CniError:
            pass
        raise
    return Result(interfaces=result.interfaces, ips=result.ips, routes=result.routes,
                  dns=dns_of(field(conf.obj, "dns")))  # fmt: skip


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: no namespace given: nothing; one that is gone: an error; IPAM
    DEL, then the device back to the plugin's namespace."""
    conf = load_conf(args.stdin)
    if not args.netns:
        return None
    try:
        cont = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    if conf.ipam_type:
        yield from exec_ipam("DEL", conf.ipam_type, args)
    yield from move_link_out(ctx.host_netns, cont, args.ifname)
    return None


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``."""
    conf = load_conf(args.stdin)
    try:
        cont = yield from get_ns(ctx, args.netns)
    except CniError as e:
        raise CniError(f'failed to open netns "{args.netns}": {e.msg}') from None
    if conf.ipam_type:
        yield from exec_ipam("CHECK", conf.ipam_type, args)
    result = prev_result(conf.obj)
    intf = container_iface(args, result)
    rec = yield from container_link(cont, intf)
    if intf.mac and intf.mac != rec.get("address"):
        raise CniError(f"Interface {intf.name} Mac {intf.mac} doesn't match container Mac: {rec.get('address')}")  # fmt: skip  # noqa: E501
    yield from validate_ips(cont, args.ifname, result)
    yield from validate_routes(cont, result)


HOST_DEVICE: Final = GenPlugin("host-device", add=cmd_add, check=cmd_check, delete=cmd_del)
