# ruff: noqa: E501  (JSON configs and libcni error texts are kept on one line)
"""The runtime (libcni's AddNetworkList / CheckNetworkList / DelNetworkList, the
result cache, GC, configuration loading) over netsim's plugins."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni import plugins as plugin_registry
from netsim.cni.driver import Context, GenPlugin, PluginGen, RecordingHost
from netsim.cni.errors import CniError
from netsim.cni.result import Result
from netsim.cni.runtime import LibcniError, Runtime, RuntimeConf
from netsim.cni.skel import CmdArgs
from netsim.host.ops import SysctlSet
from netsim.shell.fs import MemFs

HL = {"type": "host-local", "subnet": "10.22.0.0/29", "dataDir": "/run/ipam"}
LIST = {"cniVersion": "1.0.0", "name": "mynet",
        "plugins": [{"type": "host-local", "ipam": HL}, {"type": "loopback"}]}  # fmt: skip
POD = RuntimeConf("ctr1", "eth0", "/var/run/netns/pod1")


@pytest.fixture
def world() -> World:
    w = World(seed=1)
    w.netns_add("pod1")
    return w


def sh(w: World, script: str) -> str:
    return w.sh(script).stdout


def test_add_chains_check_passes_del_releases(world: World) -> None:
    rt = Runtime(SimHost(world))
    net = rt.network(LIST)
    result = rt.add_network_list(net, POD)
    assert result == {"cniVersion": "1.0.0",
                      "ips": [{"address": "10.22.0.2/29", "gateway": "10.22.0.1"}], "dns": {}}  # fmt: skip
    assert "<LOOPBACK,UP," in sh(world, "ip -n pod1 link show lo")
    rt.check_network_list(net, POD)
    assert rt.get_network_list_cached_result(net, POD) == result
    rt.del_network_list(net, POD)
    assert sh(world, "ls /run/ipam/mynet; ls /var/lib/cni/results") == "last_reserved_ip.0\nlock\n"
    assert "<LOOPBACK>" in sh(world, "ip -n pod1 link show lo")
    assert rt.get_network_list_cached_result(net, POD) is None
    rt.del_network_list(net, POD)  # DEL again: still fine


def test_the_cache_file_is_libcnis(world: World) -> None:
    rt = Runtime(SimHost(world))
    text = '{"cniVersion":"1.0.0","name":"s","plugins":[{"type":"static","capabilities":{"ips":true},"ipam":{"type":"static"}}]}'
    net = rt.network(text)
    conf = RuntimeConf("c9", "net1", "/run/netns/pod1", args=(("IgnoreUnknown", "1"), ("X", "y")),
                       capability_args={"ips": ["10.9.0.5/24"], "mac": "02:00:00:00:00:01"})  # fmt: skip
    rt.add_network_list(net, conf)
    cached = sh(world, "cat /var/lib/cni/results/s-c9-net1")
    b64 = base64.b64encode(text.encode()).decode()
    assert cached == (
        '{"kind":"cniCacheV1","containerId":"c9","config":"' + b64 + '","ifName":"net1",'
        '"networkName":"s","netns":"/run/netns/pod1","cniArgs":[["IgnoreUnknown","1"],["X","y"]],'
        '"capabilityArgs":{"ips":["10.9.0.5/24"],"mac":"02:00:00:00:00:01"},'
        '"result":{"cniVersion":"1.0.0","dns":{},"ips":[{"address":"10.9.0.5/24"}]}}'
    )
    bare = RuntimeConf("c8", "eth0", "/run/netns/pod1")
    rt.add_network_list(rt.network({**json.loads(text), "plugins": [{"type": "static",
                        "ipam": {"type": "static", "addresses": [{"address": "10.1.0.2/24"}]}}]}),
                        bare)  # fmt: skip
    assert '"networkName":"s","netns":"/run/netns/pod1","result":' in sh(
        world, "cat /var/lib/cni/results/s-c8-eth0"
    )
    assert [a.container_id for a in rt.get_cached_attachments()] == ["c8", "c9"]
    assert [a.ifname for a in rt.get_cached_attachments("c9")] == ["net1"]


#: What the toy plugins saw: (name, command, stdin as JSON).
CALLS: list[tuple[str, str, dict[str, Any]]] = []


def toy(name: str) -> GenPlugin:
    def add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
        CALLS.append((name, "ADD", json.loads(args.stdin)))
        yield SysctlSet(key=f"toy.{name}", value="add")
        return Result(dns=Result().dns)

    def other(cmd: str) -> Any:
        def fn(args: CmdArgs, ctx: Context) -> PluginGen[None]:
            CALLS.append((name, cmd, json.loads(args.stdin)))
            yield SysctlSet(key=f"toy.{name}", value=cmd.lower())
            if json.loads(args.stdin).get("fail") == cmd:
                raise CniError("toy failure", code=101, details="why")

        return fn

    return GenPlugin(name, add=add, check=other("CHECK"), delete=other("DEL"))


@pytest.fixture
def toys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    for name in ("toy-a", "toy-b"):
        monkeypatch.setitem(plugin_registry.GEN_PLUGINS, name, toy(name))
    fs = MemFs()
    fs.mkdir("/opt/cni/bin", parents=True)
    for name in ("toy-a", "toy-b"):
        fs.write(f"/opt/cni/bin/{name}", "")
    CALLS.clear()
    yield Runtime(RecordingHost(), fs=fs, path=["/opt/cni/bin"])


TOYS = {"cniVersion": "0.4.0", "name": "toys", "plugins": [
    {"type": "toy-a", "capabilities": {"portMappings": True, "bandwidth": False, "mac": True}},
    {"type": "toy-b", "capabilities": {"ipRanges": True}, "runtimeConfig": {"stale": 1}},
]}  # fmt: skip
CAPS = {"portMappings": [{"hostPort": 80, "containerPort": 8080, "protocol": "tcp"}],
        "bandwidth": {"ingressRate": 1000}, "ips": ["10.0.0.9"]}  # fmt: skip


def test_chain_order_prev_result_and_capabilities(toys: Runtime) -> None:
    net = toys.network(TOYS)
    conf = RuntimeConf("c1", "eth0", "/run/netns/p", capability_args=CAPS)
    toys.add_network_list(net, conf)
    toys.check_network_list(net, conf)
    toys.del_network_list(net, conf)
    assert [(n, c) for n, c, _ in CALLS] == [
        ("toy-a", "ADD"), ("toy-b", "ADD"),
        ("toy-a", "CHECK"), ("toy-b", "CHECK"),
        ("toy-b", "DEL"), ("toy-a", "DEL"),
    ]  # fmt: skip
    a_add, b_add = CALLS[0][2], CALLS[1][2]
    assert a_add["name"] == "toys" and a_add["cniVersion"] == "0.4.0"
    assert "prevResult" not in a_add
    assert a_add["runtimeConfig"] == {"portMappings": CAPS["portMappings"]}  # declared and offered
    assert b_add["prevResult"] == {"cniVersion": "0.4.0", "dns": {}}
    assert b_add["runtimeConfig"] == {"stale": 1}  # nothing offered for ipRanges: left as written
    for _, cmd, stdin in CALLS[2:]:
        assert stdin["prevResult"] == {"cniVersion": "0.4.0", "dns": {}}, cmd
    assert isinstance(toys.host, RecordingHost)
    assert [op.key for op in toys.host.ops if isinstance(op, SysctlSet)][-2:] == [
        "toy.toy-b",
        "toy.toy-a",
    ]


def test_errors_are_wrapped_as_libcni_does(toys: Runtime) -> None:
    conf = RuntimeConf("c1", "eth0", "/run/netns/p")
    bad = toys.network({**TOYS, "plugins": [{"type": "toy-a", "fail": "DEL", "name": "x"}]})
    toys.add_network_list(bad, conf)
    with pytest.raises(LibcniError) as info:
        toys.check_network_list(
            toys.network({**TOYS, "plugins": [{"type": "toy-b", "fail": "CHECK"}]}), conf
        )
    assert info.value.message == "toy failure; why"
    assert info.value.cause is not None and info.value.cause.code == 101
    with pytest.raises(
        LibcniError, match=r'^plugin type="toy-a" name="x" failed \(delete\): toy failure; why$'
    ):
        toys.del_network_list(bad, conf)
    missing = toys.network({**TOYS, "plugins": [{"type": "toy-a"}, {"type": "nope"}]})
    with pytest.raises(
        LibcniError,
        match=r'^plugin type="nope" failed \(add\): failed to find plugin "nope" in path \[/opt/cni/bin\]$',
    ):
        toys.add_network_list(missing, conf)
    with pytest.raises(
        LibcniError,
        match=r'^plugin type="toy-a" failed \(add\): invalid characters in containerID; a/b$',
    ):
        toys.add_network_list(missing, RuntimeConf("a/b"))
    with pytest.raises(
        LibcniError, match=r'^configuration version "0.3.1" does not support the CHECK command$'
    ):
        toys.check_network_list(toys.network({**TOYS, "cniVersion": "0.3.1"}), conf)
    toys.check_network_list(
        toys.network({**TOYS, "disableCheck": True, "plugins": [{"type": "nope"}]}), conf
    )


def test_plugin_errors_keep_their_code(world: World) -> None:
    rt = Runtime(SimHost(world))
    full = rt.network(
        {**LIST, "plugins": [{"type": "host-local", "ipam": {**HL, "subnet": "10.22.0.0/30"}}]}
    )
    rt.add_network_list(full, POD)
    with pytest.raises(LibcniError) as info:
        rt.add_network_list(full, RuntimeConf("ctr2", "eth0", "/var/run/netns/pod1"))
    assert info.value.message == ('plugin type="host-local" failed (add): failed to allocate for '
                                  "range 0: no IP addresses available in range set: 10.22.0.1-10.22.0.2")  # fmt: skip
    assert info.value.cause is not None and info.value.cause.code == 999
    with pytest.raises(
        LibcniError, match=r'failed \(add\): failed to Statfs "/var/run/netns/nope"'
    ):
        rt.add_network_list(rt.network(LIST), RuntimeConf("c3", "eth0", "/var/run/netns/nope"))


def test_gc_deletes_stale_attachments(world: World) -> None:
    rt = Runtime(SimHost(world))
    net = rt.network(LIST)
    for cid in ("a", "b", "c"):
        rt.add_network_list(net, RuntimeConf(cid, "eth0", "/var/run/netns/pod1"))
    rt.gc_network_list(net, [("b", "eth0")])
    assert [a.container_id for a in rt.get_cached_attachments()] == ["b"]
    assert sh(world, "ls /run/ipam/mynet") == "10.22.0.3\nlast_reserved_ip.0\nlock\n"
    rt.gc_network_list(rt.network({**LIST, "disableGC": True}), [])
    assert len(rt.get_cached_attachments()) == 1
    rt.get_status_network_list(net)  # before 1.1.0: nothing to ask


def test_loading_from_a_directory(world: World) -> None:
    rt = Runtime(SimHost(world))
    world.sh("""mkdir -p /etc/cni/net.d/00-dir.conf
echo '{"name":"x"' > /etc/cni/net.d/05-broken.conflist
echo '{"cniVersion":"1.0.0","name":"x"}' > /etc/cni/net.d/10-notype.conf
echo '{"cniVersion":"1.0.0","name":"ignored","type":"loopback"}' > /etc/cni/net.d/30-other.txt
echo '{"cniVersion":"0.4.0","name":"lo","type":"loopback"}' > /etc/cni/net.d/20-lo.conf
echo '{"cniVersion":"1.0.0","name":"later","type":"loopback"}' > /etc/cni/net.d/25-later.json
""")
    net = rt.load_dir("/etc/cni/net.d")
    assert (net.name, net.cni_version, [p.type for p in net.conf.plugins]) == (
        "lo",
        "0.4.0",
        ["loopback"],
    )
    assert json.loads(net.bytes) == {"cniVersion": "0.4.0", "name": "lo",
                                     "plugins": [{"cniVersion": "0.4.0", "name": "lo", "type": "loopback"}]}  # fmt: skip
    assert net.bytes.startswith('{"cniVersion":"0.4.0","name":"lo","plugins":[')
    assert [s.split(":")[0] for s in rt.skipped] == [
        "Error loading CNI config file /etc/cni/net.d/05-broken.conflist",
        "Error loading CNI config file /etc/cni/net.d/10-notype.conf",
    ]
    # loopback labels a 1.0.0-shaped result with the config version: no "version" per IP
    assert rt.add_network_list(net, POD)["ips"][0] == {"interface": 0, "address": "127.0.0.1/8"}
    with pytest.raises(CniError, match=r"^no networks found in /nowhere$"):
        rt.load_dir("/nowhere")
    world.sh("mkdir /etc/bad; echo x > /etc/bad/a.conf")
    with pytest.raises(CniError, match=r"^no valid networks found in /etc/bad$"):
        rt.load_dir("/etc/bad")
    assert rt.load_file("/etc/cni/net.d/25-later.json").name == "later"


def test_cni_versions_pick_the_highest_the_runtime_knows(world: World) -> None:
    rt = Runtime(SimHost(world))
    net = rt.network({**LIST, "cniVersion": "0.4.0", "cniVersions": ["1.0.0", "0.3.1", "9.0.0"]})
    assert net.cni_version == "1.0.0"
    assert rt.get_version_info("loopback")["supportedVersions"][-1] == "1.0.0"
    with pytest.raises(LibcniError, match=r'^failed to find plugin "x" in path \['):
        rt.get_version_info("x")
