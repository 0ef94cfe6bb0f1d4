"""The runtime side of CNI: libcni's ``CNIConfig`` (``libcni/api.go``, v1.2):
``AddNetworkList``, ``CheckNetworkList``, ``DelNetworkList``,
``GetNetworkListCachedResult``, ``GetCachedAttachments``, ``GCNetworkList``,
``GetStatusNetworkList`` and ``GetVersionInfo``.

One :class:`Runtime` drives either netsim's plugins or the real binaries::

    Runtime(SimHost(world))                  # ours, on the model
    Runtime(KernelHost(), plugins="ours")    # ours, on the real kernel
    Runtime(KernelHost(), plugins="real")    # /usr/lib/cni/* in the sandbox

Each plugin gets the list's ``name`` and ``cniVersion``, ``prevResult`` (the
previous plugin's result on ADD, the cached final result on CHECK and DEL) and
a ``runtimeConfig`` made of the capabilities it declares that the runtime
offers (``RuntimeConf.capability_args``).  Failures are :class:`LibcniError`
with libcni's words (``plugin type="bridge" failed (add): ...``); the
plugin's own error, with its code, is :attr:`LibcniError.cause`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Final, Literal, final

from netsim.cni.driver import Context
from netsim.cni.errors import CniError
from netsim.cni.exec import PLUGIN_DIRS
from netsim.cni.fs import MemPluginFs
from netsim.cni.gojson import GoJsonError, go_quote, marshal_compact, unmarshal
from netsim.cni.runtime_cache import (
    DEFAULT_CACHE_DIR,
    CachedAttachment,
    cached_attachments,
    delete_cached,
    read_cached_result,
    write_cached,
)
from netsim.cni.runtime_conf import (
    NetworkList,
    RuntimeConf,
    load_conf_dir,
    load_conf_file,
    load_network,
)
from netsim.cni.runtime_exec import (
    Executor,
    KernelExecutor,
    MixedExecutor,
    OursExecutor,
    error_text,
    exec_plugin,
    plugin_env,
)
from netsim.cni.runtime_result import marshal_map, sort_keys
from netsim.cni.skel import CmdArgs
from netsim.cni.spec import (
    NetConf,
    validate_container_id,
    validate_interface_name,
    validate_network_name,
)
from netsim.cni.version import CURRENT, greater_than_or_equal
from netsim.host.ops import INIT_NET
from netsim.host.protocol import Host
from netsim.shell.fs import MemFs
from netsim.shell.runtime import install_executables

__all__ = ["LibcniError", "NetworkList", "Runtime", "RuntimeConf"]

#: ``version.Current()`` of the libcni this mirrors (GC and STATUS need 1.1.0 lists).
LIBCNI_CURRENT: Final = "1.1.0"


class LibcniError(Exception):
    """An error libcni returns; ``cause`` is the plugin's :class:`CniError`, if any."""

    def __init__(self, message: str, cause: CniError | None = None):
        super().__init__(message)
        self.message = message
        self.cause = cause


def _describe(conf: NetConf) -> str:
    """``pluginDescription``: ``type="X"`` and `` name="Y"`` when the plugin has one."""
    name = conf.raw.get("name")
    out = f"type={go_quote(conf.type)}"
    return out + (f" name={go_quote(name)}" if isinstance(name, str) and name else "")


def _wrap(conf: NetConf, what: str, e: CniError | LibcniError) -> LibcniError:
    cause = e if isinstance(e, CniError) else e.cause
    text = error_text(e) if isinstance(e, CniError) else e.message
    return LibcniError(f"plugin {_describe(conf)} failed ({what}): {text}", cause)


def _fail(e: CniError) -> LibcniError:
    return LibcniError(error_text(e), e)


def _world_fs(host: Host) -> MemFs | None:
    """The filesystem of a :class:`~netsim.backends.sim.host.SimHost`'s world
    (its ``netsim sh`` filesystem), or None for another host."""
    world = getattr(host, "world", None)
    if world is None:
        return None
    fs: MemFs = world.fs
    return fs


@final
class Runtime:
    """A container runtime's CNI library over one Host.

    ``plugins="ours"`` runs netsim's plugins (executables of ``fs`` under the
    ``path`` directories, as in ``netsim sh``); ``"real"`` runs the binaries in
    a :class:`~netsim.backends.linux.host.KernelHost`'s sandbox.  ``fs`` holds
    the result cache (and the IPAM plugins' files for ours): by default the
    world's filesystem on a SimHost, a fresh in-memory one otherwise.  ``netns``
    is the namespace the runtime and its plugins run in: a node standing for a
    host (its veths' host ends go there), ``init_net`` by default.
    ``plugins="mixed"`` runs the real binaries the sandbox has and netsim's for
    the rest; ``state_dir`` is the sandbox directory the real ones see as
    ``/var/lib/cni`` (one per node).
    """

    def __init__(
        self,
        host: Host,
        *,
        plugins: Literal["ours", "real", "mixed"] = "ours",
        fs: MemFs | None = None,
        path: Sequence[str] = PLUGIN_DIRS,
        cache_dir: str = DEFAULT_CACHE_DIR,
        netns: str = INIT_NET,
        state_dir: str | None = None,
    ):
        self.host = host
        self.netns = netns
        self.path = tuple(path)
        self.cache_dir = cache_dir
        if fs is None:
            fs = _world_fs(host)
        if fs is None:
            fs = MemFs()
            install_executables(fs)
        self.fs = fs
        self.pfs = MemPluginFs(fs)
        self.executor: Executor
        world = getattr(host, "world", None)
        ctx = Context(netns, world.rng if world is not None else random.Random(0), fs.exists)
        if plugins in ("real", "mixed"):
            from netsim.backends.linux.host import KernelHost

            if not isinstance(host, KernelHost):
                raise ValueError(f'plugins="{plugins}" needs a KernelHost')
            self.executor = (
                KernelExecutor(host, netns=netns, state_dir=state_dir)
                if plugins == "real"
                else MixedExecutor(host, fs, ctx, netns=netns, state_dir=state_dir)
            )
        else:
            self.executor = OursExecutor(host, fs, ctx)

    # --- configurations ---------------------------------------------------------------------

    def network(self, obj: str | dict[str, Any]) -> NetworkList:
        """A network list (or single plugin config) given as JSON text or an object."""
        return load_network(obj)

    def load_file(self, path: str) -> NetworkList:
        """``ConfListFromFile`` / ``ConfFromFile`` of ``path`` in :attr:`fs`."""
        return load_conf_file(self.pfs, path)

    def load_dir(self, directory: str = "/etc/cni/net.d") -> NetworkList:
        """The network a runtime picks from ``directory``: the first valid file."""
        net, self.skipped = load_conf_dir(self.pfs, directory)
        return net

    # --- one plugin -------------------------------------------------------------------------

    def _cmd_args(self, rt: RuntimeConf, stdin: str = "") -> CmdArgs:
        return CmdArgs(rt.container_id, rt.netns, rt.ifname, rt.cni_args, ":".join(self.path),
                       stdin)  # fmt: skip

    def _stdin(self, net: NetworkList, index: int, prev: dict[str, Any] | None,
               rt: RuntimeConf) -> str:  # fmt: skip
        """``buildOneConfig``: ``json.Marshal`` of the injected map.  ``prevResult``
        keeps the result's field order unless ``runtimeConfig`` is injected too
        (``injectRuntimeConfig`` re-marshals the map)."""
        conf = net.conf.plugin_config(index, runtime_config=rt.capability_args, prev_result=prev)
        if prev is None or "runtimeConfig" in conf:
            return marshal_map(conf)
        return marshal_compact(
            {k: conf[k] if k == "prevResult" else sort_keys(conf[k]) for k in sorted(conf)}
        )

    def _exec(self, command: str, conf: NetConf, stdin: str, rt: RuntimeConf) -> str:
        path = self.executor.find(conf.type, self.path)
        env = plugin_env(command, self._cmd_args(rt))
        return exec_plugin(self.executor, path, env, stdin)

    def _add_one(self, net: NetworkList, i: int, prev: dict[str, Any] | None,
                 rt: RuntimeConf) -> dict[str, Any]:  # fmt: skip
        """``addNetwork`` + ``ExecPluginWithResult``."""
        conf = net.conf.plugins[i]
        path = self.executor.find(conf.type, self.path)
        validate_container_id(rt.container_id)
        validate_network_name(net.name)
        validate_interface_name(rt.ifname)
        stdin = self._stdin(net, i, prev, rt)
        stdout = exec_plugin(self.executor, path, plugin_env("ADD", self._cmd_args(rt)), stdin)
        try:
            result = unmarshal(stdout)
        except GoJsonError as e:
            raise CniError(f"decoding version from network config: {e}") from None
        if not isinstance(result, dict):
            raise CniError("failed to parse result: not a JSON object")
        if not result.get("cniVersion"):  # fixupResultVersion
            result = {"cniVersion": net.cni_version, **result}
        return result

    # --- libcni's API ---------------------------------------------------------------------

    def add_network_list(self, net: NetworkList, rt: RuntimeConf) -> dict[str, Any]:
        """``AddNetworkList``: each plugin in order, chained; the final result is cached."""
        result: dict[str, Any] | None = None
        for i, conf in enumerate(net.conf.plugins):
            try:
                result = self._add_one(net, i, result, rt)
            except CniError as e:
                raise _wrap(conf, "add", e) from None
        try:
            write_cached(self.pfs, rt.cache_dir or self.cache_dir, net, rt, result)
        except CniError as e:
            raise _fail(e) from None
        return result or {}

    def get_network_list_cached_result(
        self, net: NetworkList, rt: RuntimeConf
    ) -> dict[str, Any] | None:
        """``GetNetworkListCachedResult``: the cached result in the list's version."""
        try:
            return read_cached_result(self.pfs, rt.cache_dir or self.cache_dir, net.name,
                                      net.cni_version, rt)  # fmt: skip
        except CniError as e:
            raise _fail(e) from None

    def check_network_list(self, net: NetworkList, rt: RuntimeConf) -> None:
        """``CheckNetworkList``: each plugin in order with the cached result (0.4.0+)."""
        if not self._at_least(net.cni_version, "0.4.0"):
            raise LibcniError(
                f"configuration version {go_quote(net.cni_version)} "
                "does not support the CHECK command"
            )
        if net.conf.disable_check:
            return
        try:
            cached = read_cached_result(self.pfs, rt.cache_dir or self.cache_dir, net.name,
                                        net.cni_version, rt)  # fmt: skip
        except CniError as e:
            raise LibcniError(
                f"failed to get network {go_quote(net.name)} cached result: {error_text(e)}", e
            ) from None
        for i, conf in enumerate(net.conf.plugins):
            try:
                self._exec("CHECK", conf, self._stdin(net, i, cached, rt), rt)
            except CniError as e:
                raise _fail(e) from None

    def del_network_list(self, net: NetworkList, rt: RuntimeConf) -> None:
        """``DelNetworkList``: each plugin in reverse order with the cached result
        (0.4.0+; an unreadable cache is dropped), then the cache file goes."""
        cache_dir = rt.cache_dir or self.cache_dir
        cached: dict[str, Any] | None = None
        if self._at_least(net.cni_version, "0.4.0"):
            try:
                cached = read_cached_result(self.pfs, cache_dir, net.name, net.cni_version, rt)
            except CniError:
                delete_cached(self.pfs, cache_dir, net.name, rt)
        for i in reversed(range(len(net.conf.plugins))):
            conf = net.conf.plugins[i]
            try:
                self._exec("DEL", conf, self._stdin(net, i, cached, rt), rt)
            except CniError as e:
                raise _wrap(conf, "delete", e) from None
        delete_cached(self.pfs, cache_dir, net.name, rt)

    def get_cached_attachments(self, container_id: str = "") -> list[CachedAttachment]:
        """``GetCachedAttachments``: what the cache holds, by file name."""
        return cached_attachments(self.pfs, self.cache_dir, container_id)

    def gc_network_list(
        self, net: NetworkList, valid_attachments: Sequence[tuple[str, str]] | None = None
    ) -> None:
        """``GCNetworkList``: DEL every cached attachment of ``net`` not in
        ``valid_attachments`` ((containerID, ifname) pairs), then, for 1.1.0
        lists, ``GC`` each plugin with ``cni.dev/valid-attachments``."""
        if net.conf.disable_gc:
            return
        valid = set(valid_attachments or ())
        errors: list[str] = []
        for a in self.get_cached_attachments():
            if a.network != net.name or (a.container_id, a.ifname) in valid:
                continue
            try:
                self.del_network_list(net, a.runtime_conf())
            except LibcniError as e:
                errors.append(f"failed to delete stale attachment {a.container_id} {a.ifname}: "
                              f"{e.message}")  # fmt: skip
        if self._at_least(net.cni_version, "1.1.0"):
            attachments = [{"containerID": c, "ifname": i} for c, i in valid_attachments or ()]
            for conf in net.conf.plugins:
                raw: dict[str, Any] = {**conf.raw, "name": net.name, "cniVersion": net.cni_version}
                if valid_attachments is not None:
                    raw["cni.dev/valid-attachments"] = attachments
                    raw["cni.dev/attachments"] = attachments
                try:
                    self._exec("GC", conf, marshal_map(raw), RuntimeConf(""))
                except CniError as e:
                    errors.append(f"failed to GC plugin {conf.type}: {error_text(e)}")
        if errors:
            raise LibcniError("\n".join(errors))

    def get_status_network_list(self, net: NetworkList) -> None:
        """``GetStatusNetworkList``: ``STATUS`` of each plugin (1.1.0 lists only);
        the first failure is returned."""
        if not self._at_least(net.cni_version, "1.1.0"):
            return
        for conf in net.conf.plugins:
            raw = {**conf.raw, "name": net.name, "cniVersion": net.cni_version}
            try:
                self._exec("STATUS", conf, marshal_map(raw), RuntimeConf(""))
            except CniError as e:
                raise _fail(e) from None

    def get_version_info(self, plugin_type: str) -> dict[str, Any]:
        """``GetVersionInfo``: what ``VERSION`` prints (``{"cniVersion":
        ..., "supportedVersions": [...]}``); a plugin that does not know the
        command supports 0.1.0."""
        try:
            path = self.executor.find(plugin_type, self.path)
            env = {"CNI_COMMAND": "VERSION", "CNI_CONTAINERID": "", "CNI_NETNS": "",
                   "CNI_ARGS": "", "CNI_IFNAME": "", "CNI_PATH": "dummy"}  # fmt: skip
            out = exec_plugin(self.executor, path, env, f'{{"cniVersion":"{CURRENT}"}}')
        except CniError as e:
            if error_text(e) == "unknown CNI_COMMAND: VERSION":
                return {"cniVersion": "0.1.0", "supportedVersions": ["0.1.0"]}
            raise _fail(e) from None
        info: dict[str, Any] = unmarshal(out)
        return info

    @staticmethod
    def _at_least(version: str, other: str) -> bool:
        try:
            return greater_than_or_equal(version, other)
        except CniError as e:
            raise _fail(e) from None
