"""host-local never hands out an address twice, nor a gateway, network or
broadcast address, under any interleaving of ADD and DEL from many containers
(hypothesis, against a dict model of who holds what)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from netsim.cni.fs import MemPluginFs
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.skel import plugin_main
from netsim.shell.fs import MemFs

#: Two range sets: a v4 pool of two subnets (one with a custom gateway and a
#: narrowed range) and a small v6 pool.
CONF = json.dumps(
    {
        "cniVersion": "1.0.0",
        "name": "prop",
        "ipam": {
            "type": "host-local",
            "dataDir": "/ipam",
            "ranges": [
                [
                    {"subnet": "10.0.0.0/29", "gateway": "10.0.0.5"},
                    {"subnet": "10.0.1.0/28", "rangeStart": "10.0.1.3", "rangeEnd": "10.0.1.9"},
                ],
                [{"subnet": "fd00::/125"}],
            ],
        },
    }
)
FORBIDDEN = {
    "10.0.0.0",
    "10.0.0.5",
    "10.0.0.7",
    "10.0.1.0",
    "10.0.1.1",
    "10.0.1.15",
    "fd00::",
    "fd00::1",
}
IDS = [f"c{i}" for i in range(8)]
IFNAMES = ["eth0", "eth1"]


class HostLocalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fs = MemPluginFs(MemFs())
        self.held: dict[tuple[str, str], list[str]] = {}

    def call(self, cmd: str, cid: str, ifname: str, args: str = "") -> tuple[int, Any]:
        env = {"CNI_COMMAND": cmd, "CNI_CONTAINERID": cid, "CNI_NETNS": "/run/netns/x",
               "CNI_IFNAME": ifname, "CNI_PATH": "/usr/lib/cni", "CNI_ARGS": args}  # fmt: skip
        out = plugin_main(HOST_LOCAL, env, CONF, self.fs)
        return out.status, json.loads(out.stdout) if out.stdout else None

    @rule(cid=st.sampled_from(IDS), ifname=st.sampled_from(IFNAMES))
    def add(self, cid: str, ifname: str) -> None:
        status, res = self.call("ADD", cid, ifname)
        if (cid, ifname) in self.held:
            assert status == 1 and "duplicate allocation is not allowed" in res["msg"]
            return
        if status == 0:
            self.held[(cid, ifname)] = [ip["address"].split("/")[0] for ip in res["ips"]]
        else:
            assert "no IP addresses available" in res["msg"]
            assert len(self.held) >= 4  # the v6 set has 6 addresses, the v4 set 4 + 7

    @rule(cid=st.sampled_from(IDS), ifname=st.sampled_from(IFNAMES), host=st.integers(0, 16))
    def add_requested(self, cid: str, ifname: str, host: int) -> None:
        ip = f"10.0.1.{host}"
        status, res = self.call("ADD", cid, ifname, f"IP={ip}")
        if status == 0:
            assert (cid, ifname) not in self.held or ip not in self.held[(cid, ifname)]
            self.held[(cid, ifname)] = [x["address"].split("/")[0] for x in res["ips"]]
            assert ip in self.held[(cid, ifname)]
        elif not res["msg"].startswith("failed to allocate for range 0:"):
            # a later range set failed: host-local releases everything the
            # attachment holds (ReleaseByID), its earlier addresses included
            self.held.pop((cid, ifname), None)

    @rule(cid=st.sampled_from(IDS), ifname=st.sampled_from(IFNAMES))
    def delete(self, cid: str, ifname: str) -> None:
        assert self.call("DEL", cid, ifname)[0] == 0
        self.held.pop((cid, ifname), None)

    @precondition(lambda self: bool(self.held))
    @rule(data=st.data())
    def check(self, data: st.DataObject) -> None:
        cid, ifname = data.draw(st.sampled_from(sorted(self.held)))
        assert self.call("CHECK", cid, ifname)[0] == 0

    @invariant()
    def no_address_twice_and_none_forbidden(self) -> None:
        held = [ip for ips in self.held.values() for ip in ips]
        assert len(held) == len(set(held))
        assert not set(held) & FORBIDDEN
        on_disk = (
            {n for n in self.fs.mem.listdir("/ipam/prop") if n[0].isdigit() or ":" in n}
            if self.held
            else set()
        )
        assert on_disk == set(held) or not self.held
        for ips in self.held.values():
            assert [ipaddress.ip_address(ip).version for ip in ips] == [4, 6]


HostLocalMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None
)
TestHostLocal = HostLocalMachine.TestCase
