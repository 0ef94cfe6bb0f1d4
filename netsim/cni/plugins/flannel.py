"""The flannel CNI meta-plugin: ``flannel.go`` / ``flannel_linux.go`` of
flannel-io/cni-plugin (at 092e6d2, v1.9.1-flannel1; what flannel's manifests
install as ``/opt/cni/bin/flannel``).

ADD reads ``subnetFile`` (``/run/flannel/subnet.env``, written by flanneld),
builds the delegate's config -- ``name`` the network's, ``type`` ``bridge``,
``ipMasq`` = not ``FLANNEL_IPMASQ``, ``mtu`` = ``FLANNEL_MTU``, ``isGateway``
for a bridge, the list's ``cniVersion``, and an IPAM of ``type`` host-local
with ``ranges`` [[{subnet: FLANNEL_SUBNET}]] and a route per
``FLANNEL_NETWORK`` -- saves it as ``<dataDir>/<containerID>``
(``/var/lib/cni/flannel``) and delegates ADD to it, printing the delegate's
result.  DEL delegates DEL with the saved config (nothing saved: success) and
then removes it; CHECK does nothing.

Not reproduced: the log lines flannel writes to stderr (Go's ``%#v`` of the
delegate map, with pointer addresses); IPv6 subnets are carried into the
delegate config but the model has no IPv6.
"""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any, Final

from netsim.cni.driver import Context, Delegate, GenPlugin, PluginGen
from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, marshal_compact, unmarshal
from netsim.cni.ipcache import ip_interface
from netsim.cni.result import Result
from netsim.cni.runtime_result import sort_keys
from netsim.cni.skel import CmdArgs
from netsim.cni.version import ALL

__all__ = ["FLANNEL", "SUBNET_FILE", "delegate_config", "load_subnet_env"]

SUBNET_FILE: Final = "/run/flannel/subnet.env"
DATA_DIR: Final = "/var/lib/cni/flannel"
#: ``version.All`` of containernetworking/cni v1.3.0, which the plugin is built with.
SUPPORTED: Final = (*ALL, "1.1.0")


def _conf(stdin: str) -> dict[str, Any]:
    """``loadFlannelNetConf``: the defaults, then the JSON."""
    try:
        obj = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"failed to load netconf: {e}") from None
    if not isinstance(obj, dict):
        raise CniError("failed to load netconf: json: cannot unmarshal into Go value")
    return {"subnetFile": SUBNET_FILE, "dataDir": DATA_DIR, **obj}


def _fs(ctx: Context) -> PluginFs:
    if ctx.fs is None:
        raise CniError("netsim: flannel needs the node's filesystem")
    return ctx.fs


def load_subnet_env(fs: PluginFs, path: str) -> dict[str, Any]:
    """``loadFlannelSubnetEnv``: networks (deduplicated), subnet, MTU, ipmasq;
    ``<path> is missing FLANNEL_...`` for what is absent."""
    text = fs.read(path)  # PluginFsError: "open PATH: no such file or directory"
    env: dict[str, Any] = {"nws": [], "sn": None, "ip6nws": [], "ip6sn": None,
                           "mtu": None, "ipmasq": None}  # fmt: skip
    for line in text.split("\n"):
        key, eq, value = line.partition("=")
        if not eq and key not in ("FLANNEL_NETWORK", "FLANNEL_SUBNET"):
            continue
        try:
            if key in ("FLANNEL_NETWORK", "FLANNEL_IPV6_NETWORK"):
                nws: list[Any] = []
                for cidr in value.split(","):
                    nw = _parse_cidr(cidr)
                    if nw not in nws:
                        nws.append(nw)
                env["nws" if key == "FLANNEL_NETWORK" else "ip6nws"] = nws
            elif key in ("FLANNEL_SUBNET", "FLANNEL_IPV6_SUBNET"):
                env["sn" if key == "FLANNEL_SUBNET" else "ip6sn"] = _parse_cidr(value)
            elif key == "FLANNEL_MTU":
                env["mtu"] = _parse_uint(value)
            elif key == "FLANNEL_IPMASQ":
                env["ipmasq"] = value == "true"
        except ValueError as e:
            raise CniError(str(e)) from None
    missing = []
    if not env["nws"] and not env["ip6nws"]:
        missing += ["FLANNEL_NETWORK", "FLANNEL_IPV6_NETWORK"]
    if env["sn"] is None and env["ip6sn"] is None:
        missing += ["FLANNEL_SUBNET", "FLANNEL_IPV6_SUBNET"]
    if env["mtu"] is None:
        missing.append("FLANNEL_MTU")
    if env["ipmasq"] is None:
        missing.append("FLANNEL_IPMASQ")
    if missing:
        raise CniError(f"{path} is missing {', '.join(missing)}")
    return env


def _parse_cidr(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """``net.ParseCIDR``'s network (host bits cleared), or its error text."""
    try:
        return ip_interface(text).network
    except ValueError:
        raise ValueError(f"invalid CIDR address: {text}") from None


def _parse_uint(text: str) -> int:
    """``strconv.ParseUint(text, 10, 32)``."""
    if not text.isdigit() or int(text) >= 2**32:
        raise ValueError(f'strconv.ParseUint: parsing "{text}": invalid syntax')
    return int(text)


def delegate_config(conf: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
    """``doCmdAdd`` / ``getDelegateIPAM``: the delegate's config (a Go map: its
    JSON has sorted keys)."""
    delegate = dict(conf.get("delegate") or {})
    if "type" in delegate and not isinstance(delegate["type"], str):
        raise CniError("'delegate' dictionary, if present, must have (string) 'type' field")
    if "name" in delegate:
        raise CniError("'delegate' dictionary must not have 'name' field, it'll be set by flannel")
    if "ipam" in delegate:
        raise CniError("'delegate' dictionary must not have 'ipam' field, it'll be set by flannel")
    if conf.get("runtimeConfig") is not None:
        delegate["runtimeConfig"] = conf["runtimeConfig"]
    delegate["name"] = conf.get("name", "")
    delegate.setdefault("type", "bridge")
    delegate.setdefault("ipMasq", not env["ipmasq"])
    delegate.setdefault("mtu", env["mtu"])
    if delegate["type"] == "bridge":
        delegate.setdefault("isGateway", True)
    if conf.get("cniVersion"):
        delegate["cniVersion"] = conf["cniVersion"]
    ipam = dict(conf.get("ipam") or {})
    ipam.setdefault("type", "host-local")
    ipam["ranges"] = [[{"subnet": str(sn)}] for sn in (env["sn"], env["ip6sn"]) if sn]
    routes = list(ipam.get("routes") or [])
    routes += [{"dst": str(nw)} for nw in (*env["nws"], *env["ip6nws"])]
    ipam["routes"] = routes
    delegate["ipam"] = ipam
    return delegate


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``: subnet.env, the delegate config saved, then delegated ADD."""
    conf = _conf(args.stdin)
    fs = _fs(ctx)
    try:
        env = load_subnet_env(fs, str(conf["subnetFile"]))
    except (CniError, PluginFsError) as e:
        raise CniError(f"failed to load flannel 'subnet.env' file: {e}. "
                       "Check the flannel pod log for this node.") from None  # fmt: skip
    delegate = delegate_config(conf, env)
    data = marshal_compact(sort_keys(delegate))
    data_dir = str(conf["dataDir"])
    try:
        fs.mkdir_all(data_dir)
        fs.write(posixpath.join(data_dir, args.container_id), data)
    except PluginFsError as e:
        raise CniError(str(e)) from None
    try:
        result = yield Delegate("ADD", str(delegate["type"]), data)
    except CniError as e:
        text = f"{e.msg}; {e.details}" if e.details else e.msg
        raise CniError(f"failed to delegate add: {text}") from None
    assert isinstance(result, Result)
    return result


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: delegated DEL with the saved config; the file goes if it succeeded."""
    conf = _conf(args.stdin)
    fs = _fs(ctx)
    path = posixpath.join(str(conf["dataDir"]), args.container_id)
    try:
        data = fs.read(path)
    except PluginFsError as e:
        if e.notexist:
            return
        raise CniError(str(e)) from None
    try:
        saved = unmarshal(data)
    except GoJsonError:
        return  # "failed to parse netconf" is logged; the attachment leaks
    kind = saved.get("type", "") if isinstance(saved, dict) else ""
    yield Delegate("DEL", str(kind), data)
    fs.remove(path)


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``: nothing."""
    return
    yield


FLANNEL: Final = GenPlugin(
    "flannel", add=cmd_add, check=cmd_check, delete=cmd_del, supported=SUPPORTED
)
