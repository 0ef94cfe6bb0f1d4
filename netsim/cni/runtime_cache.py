"""libcni's result cache (``cacheAdd``, ``getCachedResult``,
``getLegacyCachedResult``, ``cacheDel``, ``GetCachedAttachments``).

After a successful ADD of a network list, libcni writes
``<cacheDir>/results/<network>-<containerID>-<ifname>`` (directory 0700, file
0600; modes are not modelled) holding ``json.Marshal`` of its ``cachedInfo``::

    {"kind":"cniCacheV1","containerId":"c1","config":"<base64 of the list's bytes>",
     "ifName":"eth0","networkName":"net","netns":"/run/netns/p",
     "cniArgs":[["K","V"]],"capabilityArgs":{...},"result":{...}}

(struct fields in order; ``netns``, ``cniArgs``, ``capabilityArgs`` and
``result`` omitted when empty; maps with sorted keys).  CHECK and DEL read the
result back, converted to the list's version; DEL removes the file.  A file
that is no ``cniCacheV1`` object is the legacy format: the bare result.
"""

from __future__ import annotations

import base64
import contextlib
import posixpath
from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, marshal_compact, unmarshal
from netsim.cni.runtime_conf import NetworkList, RuntimeConf
from netsim.cni.runtime_result import convert_result, sort_keys

__all__ = [
    "CACHE_KIND",
    "DEFAULT_CACHE_DIR",
    "CachedAttachment",
    "cache_path",
    "cached_attachments",
    "delete_cached",
    "read_cached_result",
    "write_cached",
]

CACHE_KIND: Final = "cniCacheV1"
#: ``libcni.CacheDir``.
DEFAULT_CACHE_DIR: Final = "/var/lib/cni"


def cache_path(cache_dir: str, network: str, rt: RuntimeConf) -> str:
    """``getCacheFilePath``."""
    return posixpath.join(cache_dir, "results", f"{network}-{rt.container_id}-{rt.ifname}")


def cache_text(net: NetworkList, rt: RuntimeConf, result: dict[str, Any] | None) -> str:
    """The bytes ``cacheAdd`` writes."""
    info: dict[str, Any] = {
        "kind": CACHE_KIND,
        "containerId": rt.container_id,
        "config": base64.b64encode(net.bytes.encode()).decode(),
        "ifName": rt.ifname,
        "networkName": net.name,
    }
    if rt.netns:
        info["netns"] = rt.netns
    if rt.args:
        info["cniArgs"] = [[k, v] for k, v in rt.args]
    if rt.capability_args:
        info["capabilityArgs"] = sort_keys(rt.capability_args)
    if result:
        info["result"] = sort_keys(result)
    return marshal_compact(info)


def write_cached(
    fs: PluginFs, cache_dir: str, net: NetworkList, rt: RuntimeConf, result: dict[str, Any] | None
) -> None:
    """``cacheAdd``."""
    path = cache_path(cache_dir, net.name, rt)
    try:
        fs.mkdir_all(posixpath.dirname(path))
        fs.write(path, cache_text(net, rt, result))
    except PluginFsError as e:
        raise CniError(f'failed to set network "{net.name}" cached result: {e}') from None


def _load(fs: PluginFs, path: str) -> Any:
    try:
        return unmarshal(fs.read(path))
    except (PluginFsError, GoJsonError):
        return None


def read_cached_result(
    fs: PluginFs, cache_dir: str, network: str, version: str, rt: RuntimeConf
) -> dict[str, Any] | None:
    """``getCachedResult``: the cached result in ``version``; None when there is
    none (a missing or unreadable file is no error)."""
    path = cache_path(cache_dir, network, rt)
    if not fs.is_dir(posixpath.dirname(path)):
        return None
    try:
        fs.read(path)
    except PluginFsError:
        return None
    obj = _load(fs, path)
    if not isinstance(obj, dict):
        raise CniError("decoding version from network config: invalid cached result")
    raw = obj.get("result") if obj.get("kind") == CACHE_KIND else obj
    if not isinstance(raw, dict):
        return None
    try:
        return convert_result(raw, version)
    except CniError as e:
        raise CniError(
            f'failed to convert cached result to config version "{version}": {e.msg}'
        ) from None


def delete_cached(fs: PluginFs, cache_dir: str, network: str, rt: RuntimeConf) -> None:
    """``cacheDel``: remove the file; a missing one is fine."""
    with contextlib.suppress(PluginFsError):
        fs.remove(cache_path(cache_dir, network, rt))


@dataclass(frozen=True)
class CachedAttachment:
    """``libcni.NetworkAttachment``: what the cache knows of one attachment."""

    container_id: str
    network: str
    ifname: str
    config: str
    netns: str
    cni_args: tuple[tuple[str, str], ...]
    capability_args: dict[str, Any]

    def runtime_conf(self) -> RuntimeConf:
        """The ``RuntimeConf`` GC's DEL of a stale attachment uses."""
        return RuntimeConf(self.container_id, self.ifname, self.netns, self.cni_args,
                           dict(self.capability_args))  # fmt: skip


def _attachment(obj: Any) -> CachedAttachment | None:
    if not isinstance(obj, dict) or obj.get("kind") != CACHE_KIND:
        return None
    if not obj.get("ifName") or not obj.get("networkName"):
        return None
    try:
        config = base64.b64decode(str(obj.get("config", ""))).decode()
    except ValueError:
        return None
    args = tuple((str(kv[0]), str(kv[1])) for kv in obj.get("cniArgs") or [] if len(kv) == 2)
    caps = obj.get("capabilityArgs") or {}
    return CachedAttachment(str(obj.get("containerId", "")), str(obj["networkName"]),
                            str(obj["ifName"]), config, str(obj.get("netns", "")), args,
                            caps if isinstance(caps, dict) else {})  # fmt: skip


def cached_attachments(
    fs: PluginFs, cache_dir: str, container_id: str = ""
) -> list[CachedAttachment]:
    """``GetCachedAttachments``: every ``cniCacheV1`` file, by name, optionally of one container."""
    directory = posixpath.join(cache_dir, "results")
    if not fs.is_dir(directory):
        return []
    out: list[CachedAttachment] = []
    for name in sorted(fs.listdir(directory)):
        if container_id:
            part = f"-{container_id}-"
            pos = name.find(part)
            if pos <= 0 or pos + len(part) >= len(name):
                continue
        a = _attachment(_load(fs, posixpath.join(directory, name)))
        if a is None or (container_id and a.container_id != container_id):
            continue
        out.append(a)
    return out
