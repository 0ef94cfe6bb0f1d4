"""The tuning plugin: ``plugins/meta/tuning/tuning.go`` of containernetworking/plugins
v1.1.1 (``parseConf``, ``cmdAdd``, ``cmdDel``, ``cmdCheck``, ``createBackup``,
``restoreBackup``, ``updateResultsMacAddr``) as generators of host operations.

ADD (needs a ``prevResult``), inside ``CNI_NETNS``: each ``sysctl`` written
(``IFNAME`` in a key replaced by ``CNI_IFNAME``, first occurrence only; the
key must name a file under ``/proc/sys/net/``), then, if ``mac``, ``mtu``,
``promisc`` or ``allmulti`` is set, the interface's current values of those
saved to ``<dataDir>/<containerID>_<ifname>.json`` (1-space indented JSON,
only the fields configured), then MAC, promisc, MTU, allmulticast changed in
that order; the ``prevResult`` is printed with the interface's new MAC.
DEL restores from the backup (MTU, MAC, promisc, allmulti) and removes it; it
never fails for the namespace or the link (sysctls are not reverted).  CHECK
reads each sysctl back, **without** the ``IFNAME`` substitution (cni.md T5),
then the MAC, promisc (off unless configured on), MTU and allmulticast."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace
from typing import Any, Final

from netsim.cni.args import load_args, parse_string
from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError, GoPanic
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, field, go_quote, marshal_indent, unmarshal
from netsim.cni.plugins.main.common import errstr, link_by_name
from netsim.cni.plugins.meta.prev import go_field, parse_prev_result, path_error
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Result
from netsim.cni.skel import CmdArgs
from netsim.cni.version import config_version
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import LinkSet, SysctlGet, SysctlSet

__all__ = ["TUNING", "TuningConf", "cmd_add", "cmd_check", "cmd_del", "parse_conf"]

DEFAULT_DATA_DIR: Final = "/run/cni/tuning"
_MAC: Final = re.compile(r"^([0-9A-Fa-f]{2})([:-])(?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2}$")


@dataclass(frozen=True)
class TuningConf:
    """``TuningConf`` after ``parseConf``: sysctls in the config's order (Go
    iterates its map in random order), and the ``prevResult`` as a result."""

    version: str
    data_dir: str
    sysctl: tuple[tuple[str, str], ...]
    mac: str
    promisc: bool
    mtu: int
    allmulti: bool | None
    prev: Result | None
    has_prev: bool


def _obj(v: Any, path: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise CniError(f"failed to load netconf: json: cannot unmarshal {'array' if isinstance(v, list) else 'string' if isinstance(v, str) else 'number'} into Go struct field {path} of type struct")  # fmt: skip  # noqa: E501
    return v


def parse_conf(stdin: str, env_args: str) -> TuningConf:
    """``parseConf``: the config, then CNI_ARGS ``MAC`` < ``runtimeConfig.mac``
    < ``args.cni`` (whose ``sysctl`` merges into the config's)."""
    try:
        conf = unmarshal(stdin)
        assert isinstance(conf, dict)
        t = "TuningConf"
        sysctl = go_field(conf, "sysctl", dict, t)
        mac = go_field(conf, "mac", str, t) or ""
        promisc = bool(go_field(conf, "promisc", bool, t))
        mtu = go_field(conf, "mtu", int, t) or 0
        allmulti = go_field(conf, "allmulti", bool, t)
        data_dir = go_field(conf, "dataDir", str, t) or DEFAULT_DATA_DIR
        rc_mac = go_field(_obj(field(conf, "runtimeConfig"), f"{t}.runtimeConfig"), "mac", str, f"{t}.runtimeConfig") or ""  # fmt: skip  # noqa: E501
        cni = _obj(field(_obj(field(conf, "args"), f"{t}.args"), "cni"), "IPAMArgs")
    except GoJsonError as e:
        raise CniError(f"failed to load netconf: {e}") from None
    except CniError as e:
        if e.msg.startswith("failed to load netconf"):
            raise
        raise CniError(f"failed to load netconf: {e.msg}") from None
    version = config_version(stdin)
    env = load_args(env_args, {"MAC": parse_string}) if env_args else {}
    if env.get("MAC"):
        mac = env["MAC"]
    if rc_mac:
        mac = rc_mac
    pairs = dict(sysctl or {})
    a = "IPAMArgs"
    try:
        args_sysctl = go_field(cni, "sysctl", dict, a)
        if args_sysctl is not None:
            if sysctl is None:  # conf.SysCtl[k] = v on a nil map
                raise GoPanic(_NIL_MAP_PANIC)
            pairs.update(args_sysctl)
        if (v := go_field(cni, "mac", str, a)) is not None:
            mac = v
        if (v := go_field(cni, "promisc", bool, a)) is not None:
            promisc = v
        if (v := go_field(cni, "mtu", int, a)) is not None:
            mtu = v
        if (v := go_field(cni, "allmulti", bool, a)) is not None:
            allmulti = v
    except CniError as e:
        raise CniError(f"failed to load netconf: {e.msg}") from None
    prev = field(conf, "prevResult")
    if prev is not None and not isinstance(prev, dict):
        raise CniError(f"failed to load netconf: json: cannot unmarshal {'array' if isinstance(prev, list) else 'string' if isinstance(prev, str) else 'number'} into Go struct field TuningConf.prevResult of type map[string]interface {{}}")  # fmt: skip  # noqa: E501
    has_prev = prev is not None
    return TuningConf(version, data_dir, tuple(pairs.items()), mac, promisc, int(mtu), allmulti,
                      None, has_prev)  # fmt: skip


#: What the binary prints for ``conf.SysCtl[k] = v`` when the config has no
#: ``sysctl`` (Debian's 1.1.1+ds1-3+b5 build; argument values vary with the input).
_NIL_MAP_PANIC: Final = """\
panic: assignment to entry in nil map

goroutine 1 [running]:
main.parseConf({0xc0000d2000, 0xa4, 0x200}, {0x0, 0x0})
\tgithub.com/containernetworking/plugins/plugins/meta/tuning/tuning.go:116 +0x385
main.cmdAdd(0xc0000b62a0)
\tgithub.com/containernetworking/plugins/plugins/meta/tuning/tuning.go:303 +0x55
github.com/containernetworking/cni/pkg/skel.(*dispatcher).checkVersionAndCall(0xc0000c3ec8, 0xc0000b62a0, {0x577a98, 0xc000092e40}, 0x552920)
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:166 +0x20a
github.com/containernetworking/cni/pkg/skel.(*dispatcher).pluginMain(0xc0000c3ec8, 0x61f3a0?, 0xc0000c3eb0?, 0x44ed89?, {0x577a98, 0xc000092e40}, {0xc0000ce030, 0x21})
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:219 +0x2ca
github.com/containernetworking/cni/pkg/skel.PluginMainWithError(...)
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:273
github.com/containernetworking/cni/pkg/skel.PluginMain(0x549775?, 0x10?, 0xc0000c3f50?, {0x577a98?, 0xc000092e40?}, {0xc0000ce030?, 0x50f370?})
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:288 +0xd1
main.main()
\tgithub.com/containernetworking/plugins/plugins/meta/tuning/tuning.go:396 +0xb6
"""  # noqa: E501


def _with_prev(args: CmdArgs) -> tuple[TuningConf, dict[str, Any]]:
    conf = parse_conf(args.stdin, args.args)
    if not conf.has_prev:
        raise CniError("Required prevResult missing")
    obj = unmarshal(args.stdin)
    prev = parse_prev_result(obj, conf.version)
    return replace(conf, prev=prev), obj


def _sysctl_path(key: str) -> tuple[str, str]:
    """``filepath.Join("/proc/sys", key with dots as slashes)`` and the same as a
    sysctl(8) key (every dot became a slash, so slashes back to dots)."""
    path = posixpath.normpath(posixpath.join("/proc/sys", key.replace(".", "/")))
    return path, path.removeprefix("/proc/sys/").replace("/", ".")


def _link(ns: str, ifname: str) -> PluginGen[dict[str, Any]]:
    rec = yield from link_by_name(ns, ifname)
    if rec is None:
        raise CniError(f"failed to get {go_quote(ifname)}: Link not found")
    return rec


def _flag(rec: dict[str, Any], name: str) -> bool:
    return name in rec.get("flags", [])


def create_backup(ns: str, ifname: str, cid: str, fs: PluginFs, conf: TuningConf) -> PluginGen[None]:  # fmt: skip  # noqa: E501
    """``createBackup``: the fields to be changed, as they are now."""
    rec = yield from _link(ns, ifname)
    saved: dict[str, Any] = {}
    if conf.mac:
        saved["mac"] = str(rec.get("address", ""))
    if conf.promisc:
        saved["promisc"] = int(rec.get("promiscuity", 0)) != 0
    if conf.mtu:
        saved["mtu"] = int(rec.get("mtu", 0))
    if conf.allmulti is not None:
        saved["allmulti"] = _flag(rec, "ALLMULTI")
    if not fs.exists(conf.data_dir):
        try:
            fs.mkdir_all(conf.data_dir)  # os.MkdirAll(dataDir, 0600)
        except PluginFsError as e:
            raise CniError(f"failed to create backup directory: {e}") from None
    path = posixpath.join(conf.data_dir, f"{cid}_{ifname}.json")
    try:
        fs.write(path, marshal_indent(saved, " "))
    except PluginFsError as e:
        raise CniError(f"failed to save file {ifname}.json: {e}") from None


def _change_mac(ns: str, ifname: str, mac: str) -> PluginGen[None]:
    """``changeMacAddr``: ``net.ParseMAC`` (EUI-48 only here), then the link."""
    if _MAC.match(mac) is None:
        raise CniError(f"invalid args {mac} for MAC addr: address {mac}: invalid MAC address")
    yield from _link(ns, ifname)
    yield LinkSet(netns=ns, ifname=ifname, address=mac.replace("-", ":").lower())


def _set(ns: str, ifname: str, **change: Any) -> PluginGen[None]:
    """``LinkByName`` then one ``netlink.LinkSet*``; its refusal as Go's errno text."""
    yield from _link(ns, ifname)
    try:
        yield LinkSet(netns=ns, ifname=ifname, **change)
    except KernelError as e:
        raise CniError(errstr(e)) from None


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf, _ = _with_prev(args)
    assert conf.prev is not None
    ns = yield from get_ns(ctx, args.netns)
    for name, value in conf.sysctl:
        key = name.replace("IFNAME", args.ifname, 1)
        path, skey = _sysctl_path(key)
        if not path.startswith("/proc/sys/net/"):
            raise CniError(f"invalid net sysctl key: {go_quote(key)}")
        try:
            yield SysctlSet(netns=ns, key=skey, value=value)
        except NetsimError as e:
            raise path_error("write", path, e) from None
    if conf.mac or conf.mtu or conf.promisc or conf.allmulti is not None:
        assert ctx.fs is not None
        yield from create_backup(ns, args.ifname, args.container_id, ctx.fs, conf)
    result = conf.prev
    if conf.mac:
        try:
            yield from _change_mac(ns, args.ifname, conf.mac)
        except KernelError as e:
            raise CniError(errstr(e)) from None
        ifaces = tuple(replace(i, mac=conf.mac) if i.name == args.ifname else i
                       for i in result.interfaces)  # fmt: skip
        result = replace(result, interfaces=ifaces)
    if conf.promisc:
        yield from _set(ns, args.ifname, promisc=True)
    if conf.mtu:
        yield from _set(ns, args.ifname, mtu=conf.mtu)
    if conf.allmulti is not None:
        yield from _set(ns, args.ifname, allmulti=conf.allmulti)
    return result


def restore_backup(ns: str, ifname: str, cid: str, fs: PluginFs, data_dir: str) -> PluginGen[None]:  # fmt: skip  # noqa: E501
    """``restoreBackup``: each saved field back (failures collected), then the file goes."""
    path = posixpath.join(data_dir, f"{cid}_{ifname}.json")
    if not fs.exists(path):
        return
    try:
        saved = unmarshal(fs.read(path))
    except PluginFsError as e:
        raise CniError(f"failed to open file {go_quote(path)}: {e}") from None
    except GoJsonError:
        return
    if not isinstance(saved, dict) or (yield from link_by_name(ns, ifname)) is None:
        return
    errs: list[str] = []
    steps: list[tuple[str, dict[str, Any]]] = []
    if saved.get("mtu"):
        steps.append(("MTU", {"mtu": int(saved["mtu"])}))
    if saved.get("mac"):
        steps.append(("MAC address", {"address": str(saved["mac"])}))
    if saved.get("promisc") is not None:
        steps.append(("promiscuous mode", {"promisc": bool(saved["promisc"])}))
    if saved.get("allmulti") is not None:
        steps.append(("all-multicast mode", {"allmulti": bool(saved["allmulti"])}))
    for what, change in steps:
        try:
            yield LinkSet(netns=ns, ifname=ifname, **change)
        except KernelError as e:
            errs.append(f"failed to restore {what}: {errstr(e)}")
    if errs:
        raise CniError("; ".join(errs))
    fs.remove(path)


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: restore what the backup holds; whatever fails, DEL succeeds."""
    conf = parse_conf(args.stdin, args.args)
    try:
        ns = yield from get_ns(ctx, args.netns)
        assert ctx.fs is not None
        yield from restore_backup(ns, args.ifname, args.container_id, ctx.fs, conf.data_dir)
    except (CniError, NetsimError):
        pass  # ns.WithNetNSPath's error is dropped


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``: every configured value against the interface."""
    conf, _ = _with_prev(args)
    ns = yield from get_ns(ctx, args.netns)
    for key, value in conf.sysctl:
        path, skey = _sysctl_path(key)  # no IFNAME substitution here (v1.1.1)
        try:
            current = yield SysctlGet(netns=ns, key=skey)
        except NetsimError as e:
            raise path_error("open", path, e) from None
        current = str(current).removesuffix("\n")
        if value != current:
            raise CniError(f"Error: Tuning configured value of {path} is {value}, current value is {current}")  # fmt: skip  # noqa: E501
    rec = yield from link_by_name(ns, args.ifname)
    if rec is None:
        raise CniError(f"Cannot find container link {args.ifname}")
    address = str(rec.get("address", ""))
    if conf.mac and conf.mac != address:
        raise CniError(f"Error: Tuning configured Ethernet of {args.ifname} is {conf.mac}, current value is {address}")  # fmt: skip  # noqa: E501
    promiscuity = int(rec.get("promiscuity", 0))
    if conf.promisc != (promiscuity != 0):
        raise CniError(f"Error: Tuning link {args.ifname} configured promisc is {str(conf.promisc).lower()}, current value is {promiscuity}")  # fmt: skip  # noqa: E501
    if conf.mtu and conf.mtu != int(rec.get("mtu", 0)):
        raise CniError(f"Error: Tuning configured MTU of {args.ifname} is {conf.mtu}, current value is {rec.get('mtu')}")  # fmt: skip  # noqa: E501
    allmulti = _flag(rec, "ALLMULTI")
    if conf.allmulti is not None and allmulti != conf.allmulti:
        # Go prints the *bool with %v: an address, 0xc000... (not reproducible)
        raise CniError(f"Error: Tuning configured all-multicast mode of {args.ifname} is 0xc0000160b8, current value is {str(allmulti).lower()}")  # fmt: skip  # noqa: E501


TUNING: Final = GenPlugin("tuning", add=cmd_add, check=cmd_check, delete=cmd_del)
