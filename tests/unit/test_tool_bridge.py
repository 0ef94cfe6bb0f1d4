"""The ``bridge`` and ``brctl`` tools of ``netsim sh``: what a user sees.

``bridge`` texts and exit statuses were taken from the real iproute2 6.1
``bridge`` in a sandbox; ``brctl`` follows bridge-utils' ``brctl_cmd.c``."""

from __future__ import annotations

import json

import pytest

from netsim import World
from netsim.shell.proc import Proc
from netsim.tools import TOOLS
from netsim.tools.brctl import brctl_main
from netsim.tools.bridge import bridge_main

M0, M1, MBR = "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:10"
MA, MB = "02:00:00:00:00:aa", "02:00:00:00:00:bb"


def run(w: World, line: str, netns: str = "init_net") -> tuple[int, str, str]:
    argv = line.split()
    p = Proc(w, netns, argv)
    status = TOOLS[argv[0]](p)
    return status, p.stdout.getvalue(), p.stderr.getvalue()


def ok(w: World, line: str, netns: str = "init_net") -> str:
    status, out, err = run(w, line, netns)
    assert (status, err) == (0, ""), (line, err)
    return out


def fails(w: World, line: str, status: int, err: str) -> None:
    assert run(w, line) == (status, "", err), line


@pytest.fixture
def w() -> World:
    """br0 with port v0 (peer v1, not a port)."""
    world = World(seed=1)
    ok(world, f"ip link add br0 address {MBR} type bridge")
    ok(world, f"ip link add v0 address {M0} type veth peer name v1 address {M1}")
    ok(world, "ip link set v0 master br0")
    return world


def test_registry() -> None:
    assert TOOLS["bridge"] is bridge_main
    assert TOOLS["brctl"] is brctl_main


# --- bridge: options and objects --------------------------------------------------------------


def test_global_errors(w: World) -> None:
    status, out, err = run(w, "bridge")
    assert (status, out) == (255, "")
    assert err.startswith("Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n")
    fails(w, "bridge foo", 255, 'Object "foo" is unknown, try "bridge help".\n')
    fails(w, "bridge -x fdb", 255, 'Option "-x" is unknown, try "bridge help".\n')
    fails(
        w,
        "bridge -n nope fdb",
        255,
        'Cannot open network namespace "nope": No such file or directory\n',
    )
    assert run(w, "bridge -V") == (0, "bridge utility, 6.1.0\n", "")
    fails(w, "bridge mdb", 1, "netsim: bridge mdb: not supported\n")


def test_netns_option() -> None:
    w = World(seed=1)
    ok(w, "ip netns add a")
    ok(w, "ip -n a link add br0 type bridge")
    ok(w, f"ip -n a link add v0 address {M0} type veth peer name v1")
    ok(w, "ip -n a link set v0 master br0")
    assert ok(w, "bridge link") == ""
    assert "master br0" in ok(w, "bridge -n a link")
    assert "master br0" in ok(w, "bridge link", netns="a")
    assert "master br0" in ok(w, "ip netns exec a bridge link")
    assert ok(w, "ip netns exec a brctl show").endswith("\tno\t\tv0\n")


# --- bridge link ------------------------------------------------------------------------------

LINK_V0 = (
    "4: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 master br0 state disabled "
    "priority 32 cost 2 \n"
)
DETAILS = (
    "    hairpin {} guard off root_block off fastleave off learning {} flood {} "
    "mcast_flood {} bcast_flood on mcast_router 1 mcast_to_unicast off "
    "neigh_suppress off vlan_tunnel off isolated off locked off \n"
)


def test_link_show(w: World) -> None:
    for line in ("bridge link", "bridge link show", "bridge li sh dev v0", "bridge link show v0"):
        assert ok(w, line) == LINK_V0, line
    assert ok(w, "bridge link show dev v1") == ""  # not a port
    assert ok(w, "bridge -j link show dev v1") == "[]\n"
    assert ok(w, "bridge -j -p link show dev v1") == "[ ]\n"
    assert json.loads(ok(w, "bridge -j link")) == [
        {"ifindex": 4, "link": "v1", "ifname": "v0",
         "flags": ["BROADCAST", "MULTICAST", "M-DOWN"], "mtu": 1500, "master": "br0",
         "state": "disabled", "priority": 32, "cost": 2},
    ]  # fmt: skip
    fails(w, "bridge link show dev nope", 255, 'Cannot find device "nope"\n')
    fails(w, "bridge link show dev v0 dev v0", 255,
          'Error: duplicate "dev": "v0" is the second value.\n')  # fmt: skip
    fails(w, "bridge link foo", 255, 'Command "foo" is unknown, try "bridge link help".\n')


def test_link_set(w: World) -> None:
    assert ok(w, "bridge -d link") == LINK_V0 + DETAILS.format("off", "on", "on", "on")
    ok(w, "bridge link set dev v0 hairpin on learning off flood off mcast_flood off")
    assert ok(w, "bridge -d link") == LINK_V0 + DETAILS.format("on", "off", "off", "off")
    rec = json.loads(ok(w, "bridge -d -j link"))[0]
    assert (rec["hairpin"], rec["learning"], rec["flood"], rec["bcast_flood"]) == (
        True, False, False, True,
    )  # fmt: skip
    assert list(rec)[-3:] == ["vlan_tunnel", "isolated", "locked"]
    ok(w, "bridge link set dev v0 hairpin off master")
    assert not w.dev("v0").rx_handler_data.hairpin
    ok(w, "bridge link set dev v0")  # nothing to change


def test_link_set_errors(w: World) -> None:
    fails(w, "bridge link set dev v1 hairpin on", 255,
          "RTNETLINK answers: Operation not supported\n")  # fmt: skip
    fails(w, "bridge link set dev br0 hairpin on", 255,
          "RTNETLINK answers: Operation not supported\n")  # fmt: skip
    fails(w, "bridge link set dev nope hairpin on", 255, 'Cannot find bridge device "nope"\n')
    fails(w, "bridge link set dev v0 hairpin maybe", 234,
          'Error: argument of "hairpin" must be one of "off", "on", not "maybe"\n')  # fmt: skip
    fails(w, "bridge link set dev v0 hairpin", 255,
          'Command line is not complete. Try option "help"\n')  # fmt: skip
    fails(w, "bridge l s hairpin on", 255, "Device is a required argument.\n")
    status, out, err = run(w, "bridge link set dev v0 foo")
    assert (status, out) == (255, "")
    assert err.startswith("Usage: bridge link set dev DEV [ cost COST ]")
    assert err.endswith("       bridge link show [dev DEV]\n")
    fails(w, "bridge link set dev v0 neigh_suppress on", 1,
          'netsim: bridge link set: "neigh_suppress" is not supported\n')  # fmt: skip
    fails(w, "bridge link set dev v0 cost 5", 1,
          'netsim: bridge link set: "cost" is not supported\n')  # fmt: skip


# --- bridge fdb -------------------------------------------------------------------------------


def test_fdb_add_show(w: World) -> None:
    ok(w, f"bridge fdb add {MA} dev v0 master")
    ok(w, f"bridge fdb replace {MA} dev v0 master static")
    ok(w, f"bridge fdb add {MB} dev v0")  # no master/self: self
    ok(w, "bridge fdb add 02:00:00:00:00:cc dev v0 self")
    ok(w, "bridge fdb append 02:00:00:00:00:cc dev v0 self")  # no NLM_F_EXCL
    ok(w, "bridge fdb add 02:00:00:00:00:dd dev v0 ma temp")
    ok(w, "bridge fdb add 02:00:00:00:00:ee dev v0 dst 10.0.0.1 vni 0x10 port 4789")
    v0 = [
        "02:00:00:00:00:dd master br0 static",
        f"{MA} master br0 static",
        f"{M0} master br0 permanent",
        f"{MB} self permanent",
        "02:00:00:00:00:cc self permanent",
        "02:00:00:00:00:ee self permanent",
    ]
    assert ok(w, "bridge fdb show dev v0") == "".join(f"{line}\n" for line in v0)
    everything = f"{MBR} dev br0 master br0 permanent\n" + "".join(
        line.replace(" ", " dev v0 ", 1) + "\n" for line in v0
    )
    for line in ("bridge fdb", "bridge fdb show", "bridge fd s", "bridge fdb show br br0"):
        assert ok(w, line) == everything, line
    assert ok(w, "bridge fdb show br v0") == ""  # no bridge: nothing is its port
    assert ok(w, "bridge -s fdb show brport v0").startswith(
        "02:00:00:00:00:dd used 0/0 master br0 static\n"
    )
    recs = json.loads(ok(w, "bridge -j fdb show dev v0"))
    assert recs[1] == {"mac": MA, "flags": [], "master": "br0", "state": "static"}
    assert recs[3] == {"mac": MB, "flags": ["self"], "state": "permanent"}
    recs = json.loads(ok(w, "bridge -j -p fdb show br br0"))
    assert recs[0] == {"mac": MBR, "ifname": "br0", "flags": [], "master": "br0",
                       "state": "permanent"}  # fmt: skip
    assert ok(w, "bridge -j -p fdb show dev v1") == "[ ]\n"


def test_fdb_pretty_json(w: World) -> None:
    assert ok(w, "bridge -j -p fdb show dev v0") == (
        "[ {\n"
        f'        "mac": "{M0}",\n'
        '        "flags": [ ],\n'
        '        "master": "br0",\n'
        '        "state": "permanent"\n'
        "    } ]\n"
    )


def test_fdb_del(w: World) -> None:
    ok(w, f"bridge fdb add {MA} dev v0 master")
    ok(w, f"bridge fdb add {MB} dev v0")
    ok(w, f"bridge fdb del {MA} dev v0 master")
    fails(w, f"bridge fdb del {MA} dev v0 master", 255,
          "RTNETLINK answers: No such file or directory\n")  # fmt: skip
    ok(w, f"bridge fdb delete {MB} dev v0")
    fails(w, f"bridge fdb del {MB} dev v0", 255,
          "RTNETLINK answers: No such file or directory\n")  # fmt: skip
    fails(w, f"bridge fdb del {MB} dev v1 master", 255,
          "RTNETLINK answers: Operation not supported\n")  # fmt: skip
    ok(w, f"bridge fdb add {MA} dev v0 self master")
    assert ok(w, "bridge fdb show dev v0").count(MA) == 2
    ok(w, f"bridge fdb del {MA} dev v0 self master")
    assert MA not in ok(w, "bridge fdb show")


def test_fdb_errors(w: World) -> None:
    eop = "RTNETLINK answers: Operation not supported\n"
    fails(w, f"bridge fdb add {MA} dev br0 master", 255, eop)  # the bridge is no port
    fails(w, f"bridge fdb add {MA} dev v1 master", 255, eop)
    ok(w, f"bridge fdb add {MA} dev v0 master")
    fails(w, f"bridge fdb add {MA} dev v0 master", 255, "RTNETLINK answers: File exists\n")
    ok(w, f"bridge fdb add {MB} dev v0")
    fails(w, f"bridge fdb add {MB} dev v0", 255, "RTNETLINK answers: File exists\n")
    fails(w, f"bridge fdb add {MA} dev nope", 255, 'Cannot find device "nope"\n')
    fails(w, "bridge fdb add zz dev nope", 255, "Invalid mac address zz\n")
    need = "Device and address are required arguments.\n"
    fails(w, f"bridge fdb add {MA}", 255, need)
    fails(w, "bridge fdb add dev v0", 255, need)
    fails(w, f"bridge fdb add {MA} dev", 255, 'Command line is not complete. Try option "help"\n')
    fails(w, f"bridge fdb add {MA} dev v0 foo", 255,
          'Error: either "to" is duplicate, or "foo" is a garbage.\n')  # fmt: skip
    fails(w, f"bridge fdb add {MA} dev v0 dst foo", 1,
          'Error: any valid address is expected rather than "foo".\n')  # fmt: skip
    fails(w, f"bridge fdb add {MA} dev v0 vni x", 255,
          'Error: argument "x" is wrong: invalid VNI\n\n')  # fmt: skip
    fails(w, f"bridge fdb add {MA} dev v0 port x", 255,
          'Error: argument "x" is wrong: invalid port\n\n')  # fmt: skip
    fails(w, f"bridge fdb add {MA} dev v0 vlan 5", 1,
          'netsim: bridge fdb: "vlan" is not supported\n')  # fmt: skip
    fails(w, "bridge fdb show br nope", 255, 'Cannot find bridge device "nope"\n')
    fails(w, "bridge fdb show dev nope", 255, 'Cannot find device "nope"\n')
    fails(w, "bridge fdb foo", 255, 'Command "foo" is unknown, try "bridge fdb help".\n')
    status, out, err = run(w, "bridge fdb help")
    assert (status, out) == (255, "")
    assert err.startswith("Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n")


# --- brctl ------------------------------------------------------------------------------------

HEADER = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n"


def test_brctl_show(w: World) -> None:
    assert ok(w, "brctl show") == HEADER + "br0\t\t8000.020000000010\tno\t\tv0\n"
    ok(w, "brctl addbr abr")
    ok(w, "ip link add v2 type veth peer name v3")
    ok(w, "brctl addif br0 v2 v1")
    assert ok(w, "brctl show") == HEADER + (
        "abr\t\t8000.000000000000\tno\t\t\n"  # no ports: bridge id 0
        "br0\t\t8000.020000000010\tno\t\tv0\n\t\t\t\t\t\t\tv1\n\t\t\t\t\t\t\tv2\n"
    )
    assert ok(w, "brctl show abr") == HEADER + "abr\t\t8000.000000000000\tno\t\t\n"
    assert run(w, "brctl show nope") == (1, "", "bridge nope does not exist!\n")


def test_brctl_bridge_id_follows_lowest_port_mac() -> None:
    w = World(seed=1)
    ok(w, "brctl addbr br0")
    ok(w, f"ip link add v0 address {M1} type veth peer name v1 address {M0}")
    ok(w, "brctl addif br0 v0")
    assert ok(w, "brctl show br0") == HEADER + "br0\t\t8000.020000000002\tno\t\tv0\n"


def test_brctl_add_del(w: World) -> None:
    ok(w, "brctl addbr br1")
    assert w.netns().dev("br1").link_type == "ether"
    ok(w, "brctl addif br1 v1")
    assert w.dev("v1").master is w.dev("br1")
    ok(w, "brctl delif br1 v1")
    assert w.dev("v1").master is None
    ok(w, "brctl delbr br1")
    assert "br1" not in w.netns()


def test_brctl_errors(w: World) -> None:
    def err(line: str, text: str) -> None:
        assert run(w, line) == (1, "", text), line

    err("brctl addbr br0", "device br0 already exists; can't create bridge with the same name\n")
    err("brctl addbr v1", "device v1 already exists; can't create bridge with the same name\n")
    ok(w, "brctl addbr br1")
    err("brctl addif br1 v0",
        "device v0 is already a member of a bridge; can't add it to bridge br1.\n")  # fmt: skip
    err("brctl addif br0 v0",
        "device v0 is already a member of a bridge; can't add it to bridge br0.\n")  # fmt: skip
    err("brctl addif br0 br1", "device br1 is a bridge device itself; "
        "can't add a bridge device to a bridge device.\n")  # fmt: skip
    err("brctl addif br0 nope", "interface nope does not exist!\n")
    err("brctl addif nope v1", "bridge nope does not exist!\n")
    err("brctl addif v0 v1", "can't add v1 to bridge v0: Operation not supported\n")
    err("brctl addif br0 lo", "can't add lo to bridge br0: Invalid argument\n")
    err("brctl delif br1 v0", "device v0 is not a port of br1\n")
    err("brctl delif br0 nope", "interface nope does not exist!\n")
    err("brctl delif nope v0", "bridge nope does not exist!\n")
    err("brctl delbr nope", "bridge nope doesn't exist; can't delete it\n")
    err("brctl delbr v0", "can't delete bridge v0: Operation not permitted\n")
    ok(w, "ip link set br1 up")
    err("brctl delbr br1", "bridge br1 is still up; can't delete it\n")
    err("brctl stp br1 on", "netsim: brctl stp: not supported\n")


def test_brctl_usage(w: World) -> None:
    status, out, err = run(w, "brctl foo")
    assert (status, err) == (1, "never heard of command [foo]\n")
    assert out.startswith(
        "Usage: brctl [commands]\ncommands:\n\taddbr     \t<bridge>\t\tadd bridge\n"
    )
    assert run(w, "brctl addif br0") == (
        1,
        "Incorrect number of arguments for command\n"
        "Usage: brctl addif <bridge> <device>\tadd interface to bridge\n",
        "",
    )
    status, out, err = run(w, "brctl")
    assert (status, err) == (1, "") and out.startswith("Usage: brctl [commands]\n")


def test_shell_end_to_end() -> None:
    w = World(seed=1)
    r = w.sh(
        f"ip link add br0 address {MBR} type bridge\n"
        f"ip link add v0 address {M0} type veth peer name v1\n"
        "brctl addif br0 v0\n"
        "bridge link set dev v0 learning off\n"
        f"bridge fdb add {MA} dev v0 master static\n"
        "brctl show\n"
        "bridge fdb show br br0\n"
        "bridge fdb add zz dev v0 || echo status $?\n"
    )
    assert (
        r.stdout
        == (
            HEADER + "br0\t\t8000.020000000010\tno\t\tv0\n"  # address set: id kept
            f"{MBR} dev br0 master br0 permanent\n"
            f"{MA} dev v0 master br0 static\n"
            f"{M0} dev v0 master br0 permanent\n"
            "status 255\n"
        )
    )
    assert r.stderr == "Invalid mac address zz\n"
    assert r.status == 0
    assert not w.dev("v0").rx_handler_data.learning
