"""The plugin driver: generators of Host operations resumed with each result."""

from __future__ import annotations

import errno

import pytest

from netsim.cni.driver import (
    Context,
    Delegate,
    GenPlugin,
    PluginGen,
    RecordingHost,
    bind,
    run,
    scripted,
)
from netsim.cni.errors import CniError
from netsim.cni.fs import MemPluginFs
from netsim.cni.result import Result
from netsim.cni.skel import CmdArgs, plugin_main
from netsim.errors import KernelError
from netsim.host.ops import Dump, LinkAdd, LinkSet, SysctlGet
from netsim.shell.fs import MemFs

ARGS = CmdArgs("c1", "/run/netns/p", "eth0", "", "/usr/lib/cni", '{"cniVersion":"0.4.0"}')


def make_dummy() -> PluginGen[str]:
    """Creates a dummy; an existing one is fine (EEXIST caught)."""
    try:
        yield LinkAdd(ifname="d0", kind="dummy")
    except KernelError as e:
        if e.errno != errno.EEXIST:
            raise
    links = yield Dump(what="link")
    value = yield SysctlGet(key="net.ipv4.ip_forward")
    return f"{len(links)} {value}"


def test_run_sends_each_result_back_and_returns_the_generators_value() -> None:
    host = RecordingHost(scripted(None, [{"ifname": "lo"}, {"ifname": "d0"}], "1"))
    assert run(make_dummy(), host) == "2 1"
    assert host.ops == [
        LinkAdd(ifname="d0", kind="dummy"),
        Dump(what="link"),
        SysctlGet(key="net.ipv4.ip_forward"),
    ]


def test_a_refusal_is_thrown_into_the_plugin_which_may_catch_it() -> None:
    host = RecordingHost(scripted(KernelError(errno.EEXIST)))
    assert run(make_dummy(), host) == "0 0"  # the default answers: [] and "0"
    assert len(host.ops) == 3


def test_an_uncaught_refusal_propagates() -> None:
    host = RecordingHost(scripted(KernelError(errno.EPERM)))
    with pytest.raises(KernelError) as info:
        run(make_dummy(), host)
    assert info.value.errno == errno.EPERM
    assert host.ops == [LinkAdd(ifname="d0", kind="dummy")]


def delegating() -> PluginGen[Result]:
    got = yield Delegate("ADD", "host-local", "{}")
    assert isinstance(got, Result)
    try:
        yield Delegate("DEL", "missing", "{}")
    except CniError as e:
        return Result(dns=got.dns, cni_version=e.msg)
    raise AssertionError("not reached")


def test_delegation_goes_to_the_delegator_and_its_errors_are_thrown_in() -> None:
    seen: list[Delegate] = []

    def delegate(d: Delegate) -> Result | None:
        seen.append(d)
        if d.type == "missing":
            raise CniError("gone", code=7)
        return Result()

    host = RecordingHost()
    result = run(delegating(), host, delegate=delegate)
    assert result.cni_version == "gone"
    assert [d.type for d in seen] == ["host-local", "missing"]
    assert host.ops == []


def test_without_a_delegator_delegation_fails_as_plugin_not_found() -> None:
    with pytest.raises(CniError, match=r'failed to find plugin "host-local" in path \[\]'):
        run(delegating(), RecordingHost())


def _add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    yield LinkSet(ifname="lo", up=True)
    return Result()


def _fail(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    yield LinkSet(ifname="lo", up=False)
    raise CniError("nope")


def test_bind_gives_a_generator_plugin_the_exec_protocol() -> None:
    plugin = bind(GenPlugin("toy", add=_add, check=_fail, delete=_fail), RecordingHost())
    env = {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "c", "CNI_NETNS": "/run/netns/p",
           "CNI_IFNAME": "eth0", "CNI_PATH": "/x"}  # fmt: skip
    fs = MemPluginFs(MemFs())
    out = plugin_main(plugin, env, '{"cniVersion":"0.3.1","name":"n"}', fs)
    assert (out.stdout, out.status) == ('{\n    "cniVersion": "0.3.1",\n    "dns": {}\n}', 0)
    out = plugin_main(
        plugin, {**env, "CNI_COMMAND": "DEL"}, '{"cniVersion":"1.0.0","name":"n"}', fs
    )
    assert (out.stdout, out.status) == ('{\n    "code": 999,\n    "msg": "nope"\n}', 1)
