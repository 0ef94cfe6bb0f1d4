"""The dhcp IPAM plugin binary: ``plugins/ipam/dhcp/main.go`` of
containernetworking/plugins v1.1.1 (``cmdAdd``, ``cmdDel``, ``cmdCheck``,
``getSocketPath``, ``rpcCall``).

The binary only forwards: ADD and CHECK call ``DHCP.Allocate``, DEL calls
``DHCP.Release`` on the daemon listening at ``ipam.daemonSocketPath``
(default ``/run/cni/dhcp.sock``), reached through the node's filesystem
(:meth:`~netsim.cni.fs.PluginFs.dial_unix`).  ADD prints the daemon's result
in the config's version; CHECK prints nothing (and, as in Go, acquires a
second lease).  ``dhcp daemon`` is :mod:`netsim.apps.cni_dhcp`.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any, Final

from netsim.cni.driver import print_result
from netsim.cni.errors import CniError, GoPanic
from netsim.cni.fs import DialError, PluginFs, RpcError
from netsim.cni.gojson import GoJsonError, field, type_name, unmarshal
from netsim.cni.result import Result
from netsim.cni.skel import CmdArgs, Plugin
from netsim.cni.version import CURRENT, config_version

__all__ = ["DEFAULT_SOCKET_PATH", "DHCP", "cmd_add", "cmd_check", "cmd_del", "socket_path"]

DEFAULT_SOCKET_PATH: Final = "/run/cni/dhcp.sock"
_NIL: Final = "runtime error: invalid memory address or nil pointer dereference"


def socket_path(stdin: str) -> str:
    """``getSocketPath``: ``ipam.daemonSocketPath`` or the default.  A config
    without ``ipam`` dereferences Go's nil ``*IPAMConfig``: a panic."""
    try:
        conf = unmarshal(stdin)
    except GoJsonError as e:
        raise CniError(f"error obtaining socketPath: error parsing socket path conf: {e}") from None
    ipam = field(conf, "ipam") if isinstance(conf, dict) else None
    if ipam is None:
        raise GoPanic(f"panic: {_NIL}\n")  # the trace that follows is not reproduced
    if not isinstance(ipam, dict):
        raise CniError(
            "error obtaining socketPath: error parsing socket path conf: json: cannot unmarshal "
            f"{type_name(ipam)} into Go struct field NetConf.ipam of type main.IPAMConfig"
        )
    path = field(ipam, "daemonSocketPath")
    if path is not None and not isinstance(path, str):
        raise CniError(
            "error obtaining socketPath: error parsing socket path conf: json: cannot unmarshal "
            f"{type_name(path)} into Go struct field IPAMConfig.ipam.daemonSocketPath "
            "of type string"
        )
    return path or DEFAULT_SOCKET_PATH


def rpc_call(method: str, args: CmdArgs, fs: PluginFs) -> Any:
    """``rpcCall``: dial the daemon, make the netns path absolute, call."""
    path = socket_path(args.stdin)
    try:
        server = fs.dial_unix(path)
    except DialError as e:
        raise CniError(
            f"error dialing DHCP daemon: dial unix {path}: connect: {e.strerror}"
        ) from None
    # filepath.Abs against the plugin's working directory (netsim: "/")
    netns = posixpath.normpath(posixpath.join("/", args.netns)) if args.netns else "/"
    try:
        return server.call(method, dataclasses.replace(args, netns=netns))
    except RpcError as e:
        raise CniError(f"error calling {method}: {e}") from None


def cmd_add(args: CmdArgs, fs: PluginFs) -> str:
    """``cmdAdd``: ``DHCP.Allocate``, printed in the config's version."""
    version = config_version(args.stdin)
    result = rpc_call("DHCP.Allocate", args, fs)
    assert isinstance(result, Result)
    return print_result(dataclasses.replace(result, cni_version=CURRENT), version)


def cmd_del(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdDel``: ``DHCP.Release``."""
    rpc_call("DHCP.Release", args, fs)


def cmd_check(args: CmdArgs, fs: PluginFs) -> None:
    """``cmdCheck``: ``DHCP.Allocate`` again, its result dropped."""
    config_version(args.stdin)
    rpc_call("DHCP.Allocate", args, fs)


DHCP = Plugin("dhcp", add=cmd_add, check=cmd_check, delete=cmd_del)
