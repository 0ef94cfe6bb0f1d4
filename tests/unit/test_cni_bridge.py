"""The bridge plugin (netsim.cni.plugins.main.bridge) on SimHost: result, ops, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from netsim import World
from netsim.backends.sim.host import SimHost
from netsim.cni.driver import Context, PluginGen, run
from netsim.cni.errors import CniError
from netsim.cni.plugins.main import bridge
from netsim.cni.result import Result
from netsim.cni.runtime_exec import OursExecutor, delegator
from netsim.cni.skel import CmdArgs
from netsim.host.ops import BridgePortSet, LinkAdd, LinkSet, Op
from netsim.host.protocol import OpResult
from netsim.shell.fs import MemFs

CONF = {"cniVersion": "1.0.0", "name": "mynet", "type": "bridge", "isDefaultGateway": True,
        "hairpinMode": True, "dns": {"nameservers": ["10.22.0.1"]},
        "ipam": {"type": "host-local", "subnet": "10.22.0.0/24", "dataDir": "/run/ipam"}}  # fmt: skip  # noqa: E501


class Recording:
    """SimHost that records every op."""

    def __init__(self, world: World):
        self.sim = SimHost(world)
        self.ops: list[Op] = []

    def apply(self, op: Op) -> OpResult:
        self.ops.append(op)
        return self.sim.apply(op)

    def namespaces(self) -> list[str]:
        return self.sim.namespaces()

    def close(self) -> None:
        pass


class Rig:
    """A plugin command run from namespace ``node`` as the driver runs it, IPAM
    delegated to host-local on a filesystem of its own."""

    def __init__(self, world: World, host: Recording, mem: MemFs):
        self.host, self.fs = host, mem
        self.ctx = Context("node", world.rng, mem.exists)

    def __call__(self, cmd: Callable[[CmdArgs, Context], PluginGen[Any]], a: CmdArgs) -> Any:
        """Run ``cmd``; an ADD's result as the plugin prints it, parsed."""
        out = run(cmd(a, self.ctx), self.host,
                  delegate=delegator(OursExecutor(self.host, self.fs, self.ctx), a))  # fmt: skip
        return json.loads(out.render("1.0.0")) if isinstance(out, Result) else out


def setup() -> tuple[World, Recording, Rig]:
    w = World(seed=1)
    w.netns_add("node")
    w.netns_add("pod1")
    mem = MemFs()
    mem.mkdir("/usr/lib/cni", parents=True)
    mem.write("/usr/lib/cni/host-local", "")
    host = Recording(w)
    return w, host, Rig(w, host, mem)


def args(conf: dict[str, object], netns: str = "/var/run/netns/pod1") -> CmdArgs:
    return CmdArgs("ctr1", netns, "eth0", "", "/usr/lib/cni", json.dumps(conf))


def test_add_result_and_state() -> None:
    w, host, drive = setup()
    out = drive(bridge.cmd_add, args(CONF))
    names = [i["name"] for i in out["interfaces"]]
    assert names[0] == "cni0" and names[1].startswith("veth") and len(names[1]) == 12
    assert out["interfaces"][2]["sandbox"] == "/var/run/netns/pod1"
    assert out["ips"] == [{"interface": 2, "address": "10.22.0.2/24", "gateway": "10.22.0.1"}]
    assert out["routes"] == [{"dst": "0.0.0.0/0", "gw": "10.22.0.1"}]
    assert out["dns"] == {"nameservers": ["10.22.0.1"]}
    assert isinstance(host.ops[0], LinkAdd) and host.ops[0].kind == "bridge"
    assert BridgePortSet(netns="node", ifname=names[1], hairpin=True) in host.ops
    assert LinkSet(netns="node", ifname=names[1], master="cni0") in host.ops
    assert w.dev(names[1], netns="node").master is w.dev("cni0", netns="node")
    assert w.netns("node").sysctl.get("net.ipv4.ip_forward") == "1"


def test_veth_names_are_deterministic_per_seed() -> None:
    drive = setup()[2]
    a = drive(bridge.cmd_add, args(CONF))
    drive = setup()[2]
    b = drive(bridge.cmd_add, args(CONF))
    assert a["interfaces"][1]["name"] == b["interfaces"][1]["name"]


def test_errors() -> None:
    drive = setup()[2]
    for conf, netns, msg in (
        ({**CONF, "ipam": {"type": "nosuch"}}, "/var/run/netns/pod1",
         'failed to find plugin "nosuch" in path [/usr/lib/cni]'),
        (CONF, "/var/run/netns/nope", 'failed to open netns "/var/run/netns/nope": '
         'failed to Statfs "/var/run/netns/nope": no such file or directory'),
        ({**CONF, "vlan": 5000}, "/var/run/netns/pod1",
         "invalid VLAN ID 5000 (must be between 0 and 4094)"),
        (CONF, "/var/run/netns/pod1", "container veth name provided (eth0) already exists"),
    ):  # fmt: skip
        try:
            drive(bridge.cmd_add, args(conf, netns))
        except CniError as e:
            assert e.msg == msg
        else:
            raise AssertionError("no error")


def test_del_and_check() -> None:
    w, _, drive = setup()
    out = drive(bridge.cmd_add, args(CONF))
    drive(bridge.cmd_check, args({**CONF, "prevResult": out}))
    try:
        drive(bridge.cmd_check, args(CONF))
    except CniError as e:
        assert e.msg == "Required prevResult missing"
    drive(bridge.cmd_del, args(CONF))
    drive(bridge.cmd_del, args(CONF))
    drive(bridge.cmd_del, args(CONF, "/var/run/netns/gone"))
    assert [d.ifname for d in w.netns("pod1")] == ["lo"]
    assert sorted(d.ifname for d in w.netns("node")) == ["cni0", "lo"]
    assert drive.fs.listdir("/run/ipam/mynet") == ["last_reserved_ip.0", "lock"]
