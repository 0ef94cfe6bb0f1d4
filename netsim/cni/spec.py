"""Network configurations and configuration lists (CNI spec §1), parsed as
libcni v1.0.1 does (``ConfFromBytes``, ``ConfListFromBytes``), plus the
name / container-ID / interface-name checks of ``pkg/utils`` that the skel runs.

Unknown keys are kept: :attr:`NetConf.raw` is the whole object, and what is
passed to a plugin is derived from it, so nothing a plugin might read is lost."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from netsim.cni.errors import (
    ERR_INVALID_ENVIRONMENT_VARIABLES,
    ERR_INVALID_NETWORK_CONFIG,
    ERR_UNKNOWN_CONTAINER,
    CniError,
)
from netsim.cni.gojson import GoJsonError, unmarshal
from netsim.cni.version import parse_version

__all__ = [
    "NetConf",
    "NetConfList",
    "go_type",
    "parse_conf",
    "parse_conflist",
    "pick_version",
    "validate_container_id",
    "validate_interface_name",
    "validate_network_name",
]

#: ``utils.ValidateNetworkName`` / ``ValidateContainerID`` pattern.
NAME_RE: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.\-]*")
#: ``IFNAMSIZ - 1``.
MAX_IFNAME: Final = 15


def go_type(v: Any) -> str:
    """Go's ``%T`` of a value decoded into ``interface{}``."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "[]interface {}"
    return "map[string]interface {}"


@dataclass(frozen=True)
class NetConf:
    """One plugin's configuration (``types.NetConf``); ``raw`` holds every key."""

    type: str
    name: str = ""
    cni_version: str = ""
    capabilities: dict[str, bool] = field(default_factory=dict)
    ipam: dict[str, Any] | None = None
    dns: dict[str, Any] | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def ipam_type(self) -> str:
        return str((self.ipam or {}).get("type", ""))


@dataclass(frozen=True)
class NetConfList:
    """A configuration list as found in ``/etc/cni/net.d`` (``NetworkConfigList``)."""

    name: str
    cni_version: str
    plugins: tuple[NetConf, ...]
    cni_versions: tuple[str, ...] = ()
    disable_check: bool = False
    disable_gc: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    def plugin_config(self, index: int, *, runtime_config: dict[str, Any] | None = None,
                      prev_result: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
        """The JSON a plugin of the list gets on stdin (``buildOneConfig`` +
        ``injectRuntimeConfig``): ``name`` and ``cniVersion`` injected, the
        capabilities it declares filled from ``runtime_config``, ``prevResult``."""
        conf = dict(self.plugins[index].raw)
        conf["name"] = self.name
        conf["cniVersion"] = self.cni_version
        if prev_result is not None:
            conf["prevResult"] = prev_result
        caps = self.plugins[index].capabilities
        rc = {k: v for k, v in (runtime_config or {}).items() if caps.get(k)}
        if rc:
            conf["runtimeConfig"] = rc
        return conf


def parse_conf(text: str | dict[str, Any]) -> NetConf:
    """``libcni.ConfFromBytes``: a single plugin configuration."""
    if isinstance(text, str):
        try:
            obj = unmarshal(text)
        except GoJsonError as e:
            raise CniError(f"error parsing configuration: {e}") from None
    else:
        obj = text
    if not isinstance(obj, dict):
        raise CniError(
            f"error parsing configuration: json: cannot unmarshal {go_type(obj)} "
            "into Go value of type types.NetConf"
        )
    typ = obj.get("type")
    if not isinstance(typ, str) or not typ:
        raise CniError("error parsing configuration: missing 'type'")
    caps = obj.get("capabilities")
    ipam, dns = obj.get("ipam"), obj.get("dns")
    return NetConf(
        type=typ,
        name=str(obj.get("name", "")),
        cni_version=str(obj.get("cniVersion", "")),
        capabilities={str(k): bool(v) for k, v in caps.items()} if isinstance(caps, dict) else {},
        ipam=ipam if isinstance(ipam, dict) else None,
        dns=dns if isinstance(dns, dict) else None,
        raw=obj,
    )


def _list_err(what: str) -> CniError:
    return CniError(f"error parsing configuration list: {what}")


def parse_conflist(text: str) -> NetConfList:
    """``libcni.ConfListFromBytes`` (plus the 1.1.0 keys ``cniVersions``, ``disableGC``)."""
    try:
        obj = unmarshal(text)
    except GoJsonError as e:
        raise _list_err(str(e)) from None
    if not isinstance(obj, dict):
        raise _list_err(
            f"json: cannot unmarshal {go_type(obj)} into Go value of type map[string]interface {{}}"
        )
    if "name" not in obj:
        raise _list_err("no name")
    name = obj["name"]
    if not isinstance(name, str):
        raise _list_err(f"invalid name type {go_type(name)}")
    version = obj.get("cniVersion", "")
    if not isinstance(version, str):
        raise _list_err(f"invalid cniVersion type {go_type(version)}")
    flags: dict[str, bool] = {}
    for key in ("disableCheck", "disableGC"):
        v = obj.get(key, False)
        if not isinstance(v, bool):
            raise _list_err(f"invalid {key} type {go_type(v)}")
        flags[key] = v
    versions = obj.get("cniVersions", [])
    if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
        raise _list_err(f"invalid cniVersions type {go_type(versions)}")
    if "plugins" not in obj:
        raise _list_err("no 'plugins' key")
    plugins = obj["plugins"]
    if not isinstance(plugins, list):
        raise _list_err(f"invalid 'plugins' type {go_type(plugins)}")
    if not plugins:
        raise _list_err("no plugins in list")
    parsed: list[NetConf] = []
    for i, p in enumerate(plugins):
        try:
            parsed.append(parse_conf(p))
        except CniError as e:
            raise CniError(f"failed to parse plugin config {i}: {e.msg}") from None
    return NetConfList(
        name=name,
        cni_version=version,
        plugins=tuple(parsed),
        cni_versions=tuple(versions),
        disable_check=flags["disableCheck"],
        disable_gc=flags["disableGC"],
        raw=obj,
    )


def pick_version(versions: Sequence[str], supported: Sequence[str]) -> str | None:
    """The highest of ``versions`` that is in ``supported`` (spec 1.1.0 ``cniVersions``)."""
    ok = [v for v in versions if v in supported]
    return max(ok, key=parse_version) if ok else None


def validate_network_name(name: str) -> None:
    """``utils.ValidateNetworkName``."""
    if not name:
        raise CniError("missing network name", code=ERR_INVALID_NETWORK_CONFIG)
    if not NAME_RE.fullmatch(name):
        raise CniError(
            "invalid characters found in network name",
            code=ERR_INVALID_NETWORK_CONFIG,
            details=name,
        )


def validate_container_id(cid: str) -> None:
    """``utils.ValidateContainerID``."""
    if not cid:
        raise CniError("missing containerID", code=ERR_UNKNOWN_CONTAINER)
    if not NAME_RE.fullmatch(cid):
        raise CniError(
            "invalid characters in containerID", code=ERR_INVALID_ENVIRONMENT_VARIABLES, details=cid
        )


def validate_interface_name(ifname: str) -> None:
    """``utils.ValidateInterfaceName``."""
    code = ERR_INVALID_ENVIRONMENT_VARIABLES
    if not ifname:
        raise CniError("interface name is empty", code=code)
    if len(ifname.encode()) > MAX_IFNAME:
        raise CniError(
            "interface name is too long",
            code=code,
            details=f"interface name should be less than {MAX_IFNAME + 1} characters",
        )
    if ifname in (".", ".."):
        raise CniError("interface name is . or ..", code=code)
    if any(c in "/:" or c.isspace() for c in ifname):
        raise CniError("interface name contains / or : or whitespace characters", code=code)
