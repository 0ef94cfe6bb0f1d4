"""How a runtime finds and runs a plugin: ``pkg/invoke`` of containernetworking/cni
(``FindInPath``, ``RawExec.ExecPlugin`` and its ``pluginErr``, ``Args.AsEnv``,
``ExecPluginWithResult``, ``DelegateAdd``/``Check``/``Del``).

Two executors share that logic:

* :class:`OursExecutor` runs netsim's plugins in-process: generator plugins
  (:data:`netsim.cni.plugins.GEN_PLUGINS`, the main plugins of
  :mod:`netsim.cni.plugins.main`) against a :class:`~netsim.host.Host` with
  ``init_net`` as the host namespace, the IPAM plugins on a filesystem; each through
  ``skel.PluginMain``, so what comes back is what a binary prints.
* :class:`KernelExecutor` runs the real binaries found on ``CNI_PATH`` inside a
  :class:`~netsim.backends.linux.host.KernelHost`'s sandbox (``env -i``, the
  config on stdin), in the sandbox's own network namespace as the host one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Protocol, final

from netsim.cni.driver import Context, Delegate, Delegator, GenPlugin, bind
from netsim.cni.errors import CniError
from netsim.cni.fs import MemPluginFs
from netsim.cni.gojson import GoJsonError, go_quote, unmarshal
from netsim.cni.ipam.dhcp import DHCP
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.ipam.static import STATIC
from netsim.cni.plugins import GEN_PLUGINS
from netsim.cni.result import Result
from netsim.cni.runtime_result import parse_result
from netsim.cni.skel import CmdArgs, Output, Plugin, plugin_main
from netsim.host.ops import INIT_NET
from netsim.host.protocol import Host
from netsim.shell.fs import MemFs

if TYPE_CHECKING:
    from netsim.backends.linux.host import KernelHost

__all__ = [
    "FS_PLUGINS",
    "Executor",
    "KernelExecutor",
    "MixedExecutor",
    "OursExecutor",
    "error_text",
    "exec_plugin",
    "find_in_path",
    "plugin_env",
]

#: plugin type -> plugin working on a filesystem only (the IPAM plugins).
FS_PLUGINS: Final[dict[str, Plugin]] = {p.name: p for p in (DHCP, HOST_LOCAL, STATIC)}
#: ``PATH`` the real binaries get (they run ``iptables``, ``ip6tables``, ...).
SANDBOX_PATH: Final = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def error_text(e: CniError) -> str:
    """``types.Error.Error()``: ``msg`` and ``; details`` when there are details."""
    return f"{e.msg}; {e.details}" if e.details else e.msg


def find_in_path(plugin: str, paths: Sequence[str], is_file: Callable[[str], bool]) -> str:
    """``invoke.FindInPath``: the first ``<dir>/<plugin>`` that is a regular file."""
    if not plugin:
        raise CniError("no plugin name provided")
    if "/" in plugin:
        raise CniError(f"invalid plugin name: {plugin}")
    if not paths:
        raise CniError("no paths provided")
    for d in paths:
        full = f"{d}/{plugin}" if d and d[-1] != "/" else posixpath.join(d, plugin)
        if is_file(full):
            return full
    raise CniError(f"failed to find plugin {go_quote(plugin)} in path [{' '.join(paths)}]")


def plugin_env(command: str, args: CmdArgs) -> dict[str, str]:
    """``Args.AsEnv``: the ``CNI_*`` variables of one invocation."""
    return {
        "CNI_COMMAND": command,
        "CNI_CONTAINERID": args.container_id,
        "CNI_NETNS": args.netns,
        "CNI_ARGS": args.args,
        "CNI_IFNAME": args.ifname,
        "CNI_PATH": args.path,
    }


class Executor(Protocol):
    """Finds plugins and runs one (``invoke.Exec``)."""

    def find(self, plugin: str, paths: Sequence[str]) -> str:
        """``FindInPath``: the plugin's path, or :class:`CniError`."""
        ...

    def run(self, path: str, env: Mapping[str, str], stdin: str) -> Output:
        """Run the binary at ``path`` with ``env`` and ``stdin``."""
        ...


def _plugin_error(out: Output) -> CniError:
    """``RawExec.pluginErr``: the error JSON the plugin printed, or a description."""
    status = f"exit status {out.status}"
    if not out.stdout:
        if not out.stderr:
            return CniError(f"netplugin failed with no error message: {status}", code=0)
        return CniError(f"netplugin failed: {go_quote(out.stderr)}", code=0)
    try:
        obj = unmarshal(out.stdout)
        if not isinstance(obj, dict):
            raise GoJsonError("json: cannot unmarshal into Go value of type types.Error")
    except GoJsonError as e:
        return CniError(
            f"netplugin failed but error parsing its diagnostic message "
            f"{go_quote(out.stdout)}: {e}",
            code=0,
        )
    code = obj.get("code", 0)
    return CniError(
        str(obj.get("msg", "")),
        code=code if isinstance(code, int) else 0,
        details=str(obj.get("details", "")),
    )


def exec_plugin(executor: Executor, path: str, env: Mapping[str, str], stdin: str) -> str:
    """``RawExec.ExecPlugin``: the plugin's stdout, or its error as :class:`CniError`."""
    out = executor.run(path, env, stdin)
    if out.status != 0:
        raise _plugin_error(out)
    return out.stdout


def delegator(executor: Executor, args: CmdArgs) -> Delegator:
    """``invoke.DelegateAdd/Check/Del`` for one invocation: the delegate is found on
    the invocation's ``CNI_PATH`` and gets its environment with ``CNI_COMMAND``
    replaced."""

    def delegate(d: Delegate) -> Result | None:
        path = executor.find(d.type, [p for p in args.path.split(":") if p])
        stdout = exec_plugin(executor, path, plugin_env(d.command, args), d.stdin)
        return parse_result(stdout) if d.command == "ADD" else None

    return delegate


@final
class OursExecutor:
    """Runs netsim's plugins: ``<dir>/<type>`` must be a file of ``fs`` (the
    ``netsim sh`` filesystem installs them under ``/usr/lib/cni`` and
    ``/opt/cni/bin``); generator plugins act on ``host`` in ``ctx`` (by default
    from ``init_net``, veth names from the world's RNG on a ``SimHost``)."""

    def __init__(self, host: Host, fs: MemFs, ctx: Context | None = None, *,
                 delegate_via: Executor | None = None):  # fmt: skip
        self.host = host
        self.fs = fs
        #: Who finds and runs the plugins ours delegate to (by default, this executor).
        self.delegate_via: Executor = delegate_via if delegate_via is not None else self
        if ctx is None:
            world = getattr(host, "world", None)
            ctx = Context(exists=fs.exists) if world is None else Context(rng=world.rng, exists=fs.exists)  # fmt: skip  # noqa: E501
        self.ctx = ctx
        self._bound: dict[str, tuple[GenPlugin, Plugin]] = {}

    def find(self, plugin: str, paths: Sequence[str]) -> str:
        return find_in_path(plugin, paths, lambda p: self.fs.exists(p) and not self.fs.is_dir(p))

    def plugin(self, name: str) -> Plugin | None:
        """The plugin ``name`` bound to this executor's host, or None (bound once
        per plugin: the binding holds nothing of one run)."""
        gen = GEN_PLUGINS.get(name)
        if gen is not None:
            bound = self._bound.get(name)
            if bound is None or bound[0] is not gen:
                via = self.delegate_via
                plugin = bind(gen, self.host, ctx=self.ctx,
                              delegate=lambda args: delegator(via, args))  # fmt: skip
                bound = self._bound[name] = (gen, plugin)
            return bound[1]
        return FS_PLUGINS.get(name)

    def run(self, path: str, env: Mapping[str, str], stdin: str) -> Output:
        plugin = self.plugin(posixpath.basename(path))
        if plugin is None:
            return Output("", f"bash: {path}: Permission denied\n", 126)
        return plugin_main(plugin, env, stdin, MemPluginFs(self.fs))


@final
class KernelExecutor:
    """Runs the real plugin binaries inside ``host``'s sandbox, in namespace
    ``netns``.  With ``state_dir``, each runs in a mount namespace of its own
    where that directory of the sandbox is ``/var/lib/cni`` (a node's own
    disk, when several nodes share the sandbox's filesystem)."""

    def __init__(self, host: KernelHost, *, netns: str = INIT_NET, state_dir: str | None = None):
        self.host = host
        self.netns = netns
        self.state_dir = state_dir
        if state_dir is not None:
            host.sandbox.run(["mkdir", "-p", state_dir, "/var/lib/cni"])

    def find(self, plugin: str, paths: Sequence[str]) -> str:
        if not plugin or "/" in plugin or not paths:
            return find_in_path(plugin, paths, lambda _: False)
        found = self.host.sandbox.run(
            ["sh", "-c", 'for p; do if [ -f "$p" ]; then echo "$p"; exit; fi; done', "sh",
             *(posixpath.join(d, plugin) for d in paths)]
        )  # fmt: skip
        first = found.stdout.strip()
        return first or find_in_path(plugin, paths, lambda _: False)

    def run(self, path: str, env: Mapping[str, str], stdin: str) -> Output:
        argv = ["env", "-i", f"PATH={SANDBOX_PATH}", *(f"{k}={v}" for k, v in env.items()), path]
        if self.state_dir is not None:
            bind = 'mount --bind "$0" /var/lib/cni && exec "$@"'
            argv = ["unshare", "--mount", "sh", "-c", bind, self.state_dir, *argv]
        if self.netns != INIT_NET:
            argv = ["ip", "netns", "exec", self.netns, *argv]
        r = self.host.sandbox.run(argv, stdin=stdin)
        return Output(r.stdout, r.stderr, r.returncode)


@final
class MixedExecutor:
    """The real binaries where the sandbox has them on ``CNI_PATH``, netsim's
    plugins for the others (flannel: Debian's package does not ship it), which
    delegate back through this executor (so our flannel runs the real bridge)."""

    def __init__(self, host: KernelHost, fs: MemFs, ctx: Context, *, netns: str = INIT_NET,
                 state_dir: str | None = None):  # fmt: skip
        self.real = KernelExecutor(host, netns=netns, state_dir=state_dir)
        self.ours = OursExecutor(host, fs, ctx, delegate_via=self)

    def find(self, plugin: str, paths: Sequence[str]) -> str:
        try:
            return self.real.find(plugin, paths)
        except CniError:
            return self.ours.find(plugin, paths)

    def run(self, path: str, env: Mapping[str, str], stdin: str) -> Output:
        found = self.real.host.sandbox.run(["test", "-f", path])
        if found.returncode == 0:
            return self.real.run(path, env, stdin)
        return self.ours.run(path, env, stdin)
