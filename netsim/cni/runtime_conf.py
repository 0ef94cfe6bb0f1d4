"""Where a runtime gets its network: libcni's ``ConfListFromBytes`` /
``ConfFromBytes`` + ``ConfListFromConf`` / ``ConfFiles``, and the directory scan
kubelet and CRI-O run over ``/etc/cni/net.d`` (``getDefaultCNINetwork``:
``.conf``, ``.conflist`` and ``.json`` files in lexicographic order, the first
valid one wins, a single-plugin ``.conf`` becomes a list of one).

A :class:`NetworkList` keeps the bytes it was read from: the result cache
stores them (base64) as libcni does."""

from __future__ import annotations

import dataclasses
import functools
import posixpath
from dataclasses import dataclass
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, unmarshal
from netsim.cni.runtime_result import marshal_map
from netsim.cni.spec import NetConfList, parse_conf, parse_conflist
from netsim.cni.version import parse_version

__all__ = [
    "CONF_EXTENSIONS",
    "LIBCNI_VERSION",
    "NetworkList",
    "RuntimeConf",
    "conf_files",
    "conflist_from_bytes",
    "conflist_from_conf",
    "load_conf_dir",
    "load_conf_file",
    "load_network",
]

#: What runtimes look for in a configuration directory.
CONF_EXTENSIONS: Final = (".conf", ".conflist", ".json")
#: The newest spec version this runtime implements (``version.Current()`` of libcni 1.2).
LIBCNI_VERSION: Final = "1.1.0"


@dataclass(frozen=True)
class NetworkList:
    """``libcni.NetworkConfigList``: the parsed list and its ``Bytes``."""

    conf: NetConfList
    bytes: str

    @property
    def name(self) -> str:
        return self.conf.name

    @property
    def cni_version(self) -> str:
        return self.conf.cni_version


def _negotiate(conf: NetConfList) -> NetConfList:
    """``cniVersions`` (spec 1.1.0): the highest listed version, ``cniVersion``
    included, that this runtime implements."""
    if not conf.cni_versions:
        return conf
    candidates: list[str] = []
    for i, v in enumerate(conf.cni_versions):
        try:
            newer = parse_version(v) > parse_version(LIBCNI_VERSION)
        except CniError as e:
            raise CniError(f"invalid cniVersions entry {v} at index {i}: {e.msg}") from None
        if not newer:
            candidates.append(v)
    if conf.cni_version:
        try:
            newer = parse_version(conf.cni_version) > parse_version(LIBCNI_VERSION)
        except CniError as e:
            raise CniError(f"invalid cniVersion {conf.cni_version}: {e.msg}") from None
        if not newer:
            candidates.append(conf.cni_version)
    if not candidates:
        return conf
    return dataclasses.replace(conf, cni_version=max(candidates, key=parse_version))


@functools.lru_cache(maxsize=64)
def conflist_from_bytes(text: str) -> NetworkList:
    """``libcni.ConfListFromBytes``, with the ``cniVersions`` negotiation
    (memoised by the exact text: a list is never changed once parsed, and a
    kubelet reads the same file for every pod)."""
    return NetworkList(_negotiate(parse_conflist(text)), text)


def conflist_from_conf(text: str | dict[str, Any]) -> NetworkList:
    """``ConfFromBytes`` then ``ConfListFromConf``: a single plugin's config as a
    list of one, its bytes re-marshalled as Go does (keys sorted, compact)."""
    conf = parse_conf(text)
    listed = {"name": conf.name, "cniVersion": conf.cni_version, "plugins": [conf.raw]}
    return conflist_from_bytes(marshal_map(listed))


def load_network(obj: str | dict[str, Any]) -> NetworkList:
    """A network from memory: a conflist (it has ``plugins``) or a single plugin's
    config, as JSON text or an object (marshalled as ``json.Marshal`` would)."""
    if isinstance(obj, str):
        return _load_text(obj)
    decoded, text = obj, marshal_map(obj)
    if isinstance(decoded, dict) and "plugins" in decoded:
        return conflist_from_bytes(text)
    return conflist_from_conf(text)


@functools.lru_cache(maxsize=64)
def _load_text(obj: str) -> NetworkList:
    """:func:`load_network` of JSON text (memoised by the exact text)."""
    try:
        decoded = unmarshal(obj)
    except GoJsonError as e:
        raise CniError(f"error parsing configuration list: {e}") from None
    if isinstance(decoded, dict) and "plugins" in decoded:
        return conflist_from_bytes(obj)
    return conflist_from_conf(obj)


def load_conf_file(fs: PluginFs, path: str) -> NetworkList:
    """``ConfListFromFile`` for ``.conflist``, else ``ConfFromFile`` + ``ConfListFromConf``."""
    try:
        text = fs.read(path)
    except PluginFsError as e:
        raise CniError(f"error reading {path}: {e}") from None
    if path.endswith(".conflist"):
        return conflist_from_bytes(text)
    return conflist_from_conf(text)


def conf_files(fs: PluginFs, directory: str) -> list[str]:
    """``libcni.ConfFiles``: the config files of ``directory`` by name (none if it
    does not exist); directories are skipped."""
    if not fs.is_dir(directory):
        return []
    names = sorted(fs.listdir(directory))
    paths = [posixpath.join(directory, n) for n in names]
    return [p for p in paths if posixpath.splitext(p)[1] in CONF_EXTENSIONS and not fs.is_dir(p)]


def load_conf_dir(fs: PluginFs, directory: str) -> tuple[NetworkList, list[str]]:
    """``getDefaultCNINetwork``: the first valid network of ``directory`` and the
    lines the runtime logs for each file it skipped on the way."""
    files = conf_files(fs, directory)
    if not files:
        raise CniError(f"no networks found in {directory}")
    skipped: list[str] = []
    for path in files:
        try:
            if path.endswith(".conflist"):
                net = conflist_from_bytes(fs.read(path))
            else:
                conf = parse_conf(fs.read(path))
                net = conflist_from_conf(conf.raw)
        except (CniError, PluginFsError) as e:
            skipped.append(f"Error loading CNI config file {path}: {e}")
            continue
        return net, skipped
    raise CniError(f"no valid networks found in {directory}")


@dataclass(frozen=True)
class RuntimeConf:
    """``libcni.RuntimeConf``: one attachment of one container.

    ``args`` become ``CNI_ARGS`` (``K=V;...``); ``capability_args`` are offered
    to every plugin that declares the capability (``portMappings``,
    ``bandwidth``, ``ips``, ``mac``, ``ipRanges``, ...) as its ``runtimeConfig``;
    ``cache_dir`` overrides the runtime's."""

    container_id: str
    ifname: str = "eth0"
    netns: str = ""
    args: tuple[tuple[str, str], ...] = ()
    capability_args: dict[str, Any] = dataclasses.field(default_factory=dict)
    cache_dir: str = ""

    @property
    def cni_args(self) -> str:
        """``CNI_ARGS`` as ``invoke.Args.AsEnv`` stringifies them."""
        return ";".join(f"{k}={v}" for k, v in self.args)
