"""The plugin driver: CNI plugins as generators of Host operations.

A plugin command is a generator that yields effects and is resumed with each
one's outcome, the loop simpy's ``Process`` runs (``reference/style.md``)::

    def cmd_add(args: CmdArgs) -> PluginGen[Result]:
        ns = yield from open_netns(args.netns)
        try:
            yield LinkSet(netns=ns, ifname="lo", up=True)
        except KernelError as e:      # the Host's refusal, thrown in
            ...
        return Result(...)

An effect is a :mod:`netsim.host.ops` operation, sent to a
:class:`~netsim.host.Host` (the model, the real kernel, or a
:class:`RecordingHost`), or a :class:`Delegate`: run another plugin (the IPAM
plugin) as ``invoke.DelegateAdd``/``DelegateCheck``/``DelegateDel`` would.
:func:`run` drives one command; :func:`bind` turns a :class:`GenPlugin` into a
:class:`~netsim.cni.skel.Plugin` so the skel's exec protocol (env checks,
version reconciliation, error JSON) wraps it exactly as for a binary.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, final

from netsim.cni.errors import CniError
from netsim.cni.fs import PluginFs
from netsim.cni.gojson import marshal_indent
from netsim.cni.result import Result
from netsim.cni.skel import CmdArgs, Plugin
from netsim.cni.version import ALL, CURRENT, config_version
from netsim.errors import KernelError, NetsimError
from netsim.host.ops import INIT_NET, Dump, Op, SysctlGet
from netsim.host.protocol import Host, OpResult

__all__ = [
    "Context",
    "Delegate",
    "Delegator",
    "Effect",
    "GenPlugin",
    "PluginGen",
    "RecordingHost",
    "bind",
    "print_result",
    "run",
    "scripted",
]

T = TypeVar("T")


@final
@dataclass(frozen=True, slots=True)
class Delegate:
    """Run the plugin ``type`` (found on ``CNI_PATH``) with the caller's
    environment, ``command`` in place of ``CNI_COMMAND`` and ``stdin`` as its
    config (``invoke.DelegateAdd`` / ``DelegateCheck`` / ``DelegateDel``).

    The outcome is the parsed :class:`~netsim.cni.result.Result` for ``ADD``,
    ``None`` otherwise; a failure is thrown into the plugin as the
    :class:`~netsim.cni.errors.CniError` the delegate printed."""

    command: str
    type: str
    stdin: str


def _no_file(path: str) -> bool:
    return False


@final
@dataclass(frozen=True)
class Context:
    """Where a plugin command runs, beyond its ``CmdArgs``: the namespace it was
    started in (the host side of the veths it makes), the random source for the
    names it draws (``ip.RandomVethName``: the world's seeded RNG on the model),
    whether a path exists on the node's filesystem (what ``ns.GetNS`` finds
    when a ``CNI_NETNS`` path is no namespace), and that filesystem itself
    (``fs``: where a plugin keeps files -- tuning's backups, flannel's
    ``subnet.env`` and delegate configs; :func:`bind` fills it with the one the
    binary runs on when the context has none)."""

    host_netns: str = INIT_NET
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    exists: Callable[[str], bool] = _no_file
    fs: PluginFs | None = None


#: What a plugin yields.
Effect = Op | Delegate
#: A plugin command: yields effects, is resumed with each outcome, returns ``T``.
PluginGen = Generator[Effect, Any, T]
#: Carries out a :class:`Delegate`.
Delegator = Callable[[Delegate], Result | None]


def _no_delegation(d: Delegate) -> Result | None:
    raise CniError(f'failed to find plugin "{d.type}" in path []')


def run(gen: PluginGen[T], host: Host, *, delegate: Delegator | None = None) -> T:
    """Drive ``gen`` to completion: apply each operation to ``host`` and send the
    result back, or throw the :class:`~netsim.errors.KernelError` in (a plugin may
    catch ``EEXIST``); carry out each :class:`Delegate` with ``delegate``.
    Returns what the generator returns; anything it does not catch propagates."""
    delegator = delegate or _no_delegation
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            effect = gen.send(value) if error is None else gen.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value, error = None, None
        try:
            value = delegator(effect) if isinstance(effect, Delegate) else host.apply(effect)
        except (NetsimError, CniError) as e:
            error = e


@final
@dataclass(frozen=True)
class GenPlugin:
    """A plugin written as generators: ``add`` returns the result (in the
    current version; the driver prints it in the config's), ``check`` and
    ``delete`` return nothing.  ``name`` is the binary's (``loopback``)."""

    name: str
    add: Callable[[CmdArgs, Context], PluginGen[Result]]
    check: Callable[[CmdArgs, Context], PluginGen[None]]
    delete: Callable[[CmdArgs, Context], PluginGen[None]]
    supported: tuple[str, ...] = ALL


#: Builds the delegator for one invocation (it needs the invocation's environment).
DelegatorFactory = Callable[[CmdArgs], Delegator]


def bind(plugin: GenPlugin, host: Host, *, ctx: Context | None = None,
         delegate: DelegatorFactory | None = None) -> Plugin:  # fmt: skip
    """``plugin`` as a :class:`~netsim.cni.skel.Plugin` whose commands run through
    :func:`run` against ``host`` in ``ctx``; ``skel.plugin_main`` then gives it the
    exec protocol of a binary.  The result is printed as ``types.PrintResult(result,
    conf.CNIVersion)`` does."""
    where = ctx if ctx is not None else Context()

    def delegator(args: CmdArgs) -> Delegator | None:
        return delegate(args) if delegate is not None else None

    def on(fs: PluginFs) -> Context:
        if where.fs is not None:
            return where
        return Context(where.host_netns, where.rng, where.exists, fs)  # replace(where, fs=fs)

    def add(args: CmdArgs, fs: PluginFs) -> str:
        result = run(plugin.add(args, on(fs)), host, delegate=delegator(args))
        return print_result(result, config_version(args.stdin))

    def check(args: CmdArgs, fs: PluginFs) -> None:
        run(plugin.check(args, on(fs)), host, delegate=delegator(args))

    def delete(args: CmdArgs, fs: PluginFs) -> None:
        run(plugin.delete(args, on(fs)), host, delegate=delegator(args))

    return Plugin(plugin.name, add=add, check=check, delete=delete, supported=plugin.supported)


def print_result(result: Result, version: str) -> str:
    """``types.PrintResult(result, version)``.  Go's ``convert.Convert`` hands back
    a result already labelled ``version`` unchanged, so a 1.0.0 result a plugin
    built with ``CNIVersion: conf.CNIVersion`` (loopback does) prints in the
    1.0.0 shape under the older label: no ``version`` per IP for 0.3.1."""
    if result.cni_version == version and version != CURRENT:
        shaped = dataclasses.replace(result, cni_version=CURRENT).to_json()
        return marshal_indent({**shaped, "cniVersion": version})
    return result.render(version)


#: Answers one operation for a :class:`RecordingHost`: a result, or raises.
Handler = Callable[[Op], OpResult]


def default_answer(op: Op) -> OpResult:
    """What a quiet host answers: ``[]`` for a dump, ``"0"`` for a sysctl read,
    ``None`` for a change."""
    if isinstance(op, Dump):
        return []
    if isinstance(op, SysctlGet):
        return "0"
    return None


def scripted(*answers: OpResult | KernelError) -> Handler:
    """A handler answering operations in order with ``answers`` (an exception is
    raised), then as :func:`default_answer` does."""
    queue = list(answers)

    def handle(op: Op) -> OpResult:
        if not queue:
            return default_answer(op)
        answer = queue.pop(0)
        if isinstance(answer, KernelError):
            raise answer
        return answer

    return handle


@final
@dataclass
class RecordingHost:
    """A fake :class:`~netsim.host.Host` for plugin unit tests (httpx's
    ``MockTransport``): records every operation in :attr:`ops` and answers with
    ``handler`` (:func:`scripted`, or any function of the operation)."""

    handler: Handler = default_answer
    ops: list[Op] = field(default_factory=list)
    netns: Sequence[str] = ("init_net",)

    def apply(self, op: Op) -> OpResult:
        self.ops.append(op)
        return self.handler(op)

    def namespaces(self) -> list[str]:
        return list(self.netns)

    def close(self) -> None:
        """Nothing to release."""
