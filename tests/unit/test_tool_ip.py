"""The ``ip`` tool of ``netsim sh``: what a user sees, checked against iproute2 6.1
(the expected texts and exit statuses were taken from the real ``ip`` in a sandbox)."""

from __future__ import annotations

import json

import pytest

from netsim import World
from netsim.backends.sim.dump import link_flags
from netsim.shell.proc import Proc
from netsim.tools import TOOLS, ip_main
from netsim.tools.ip_util import jsonw, matches

M0, M1 = "02:00:00:00:00:01", "02:00:00:00:00:02"


def ip(w: World, line: str, netns: str = "init_net") -> tuple[int, str, str]:
    p = Proc(w, netns, line.split())
    status = ip_main(p)
    return status, p.stdout.getvalue(), p.stderr.getvalue()


def ok(w: World, line: str, netns: str = "init_net") -> str:
    status, out, err = ip(w, line, netns)
    assert (status, err) == (0, ""), (line, err)
    return out


@pytest.fixture
def w() -> World:
    world = World(seed=1)
    ok(world, f"ip link add v0 address {M0} type veth peer name v1 address {M1}")
    return world


def test_registry() -> None:
    assert TOOLS["ip"] is ip_main


def test_matches() -> None:
    assert matches("l", "link") and matches("link", "link")
    assert not matches("", "link") and not matches("links", "link")


# --- ip link -------------------------------------------------------------------------------


def test_link_show(w: World) -> None:
    assert ok(w, "ip link show v0") == (
        "3: v0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT "
        "group default qlen 1000\n"
        f"    link/ether {M0} brd ff:ff:ff:ff:ff:ff\n"
    )
    assert ok(w, "ip li sh") == ok(w, "ip link") == ok(w, "ip l list")
    assert ok(w, "ip l").startswith("1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN")


def test_link_show_brief(w: World) -> None:
    assert ok(w, "ip -br link") == (
        "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n"
        f"v1@v0            DOWN           {M1} <BROADCAST,MULTICAST,M-DOWN> \n"
        f"v0@v1            DOWN           {M0} <BROADCAST,MULTICAST,M-DOWN> \n"
    )


def test_link_show_json(w: World) -> None:
    out = ok(w, "ip -j link show v0")
    assert out == (
        '[{"ifindex":3,"link":"v1","ifname":"v0","flags":["BROADCAST","MULTICAST","M-DOWN"],'
        '"mtu":1500,"qdisc":"noop","operstate":"DOWN","linkmode":"DEFAULT","group":"default",'
        f'"txqlen":1000,"link_type":"ether","address":"{M0}","broadcast":"ff:ff:ff:ff:ff:ff"}}]\n'
    )
    assert json.loads(out)[0]["ifname"] == "v0"


def test_link_show_pretty_json(w: World) -> None:
    out = ok(w, "ip -j -p link show v1")
    assert out.startswith('[ {\n        "ifindex": 2,\n        "link": "v0",\n')
    assert '        "flags": [ "BROADCAST","MULTICAST","M-DOWN" ],\n' in out
    assert out.endswith('        "broadcast": "ff:ff:ff:ff:ff:ff"\n    } ]\n')
    assert json.loads(out) == json.loads(ok(w, "ip -j link show v1"))


def test_jsonw_pretty_shapes() -> None:
    assert jsonw([{"name": "a"}, {"name": "b"}], True) == (
        '[ {\n        "name": "a"\n    },{\n        "name": "b"\n    } ]'
    )
    assert jsonw({"addr_info": []}, True) == '{\n    "addr_info": [ ]\n}'


def test_link_errors(w: World) -> None:
    assert ip(w, "ip link add v0 type veth peer name v2") == (
        2, "", "RTNETLINK answers: File exists\n")  # fmt: skip
    assert ip(w, "ip link set nope up") == (1, "", 'Cannot find device "nope"\n')
    assert ip(w, "ip link del nope") == (1, "", 'Cannot find device "nope"\n')
    assert ip(w, "ip link show nope") == (1, "", 'Device "nope" does not exist.\n')
    assert ip(w, "ip link foo") == (255, "", 'Command "foo" is unknown, try "ip link help".\n')
    assert ip(w, "ip link set v0 bogus") == (
        255, "", 'Error: either "dev" is duplicate, or "bogus" is a garbage.\n')  # fmt: skip
    assert ip(w, "ip link set v0 master nobr") == (
        255, "", 'Error: argument "nobr" is wrong: Device does not exist\n\n')  # fmt: skip
    assert ip(w, "ip link set v0 netns nons") == (
        255, "", 'Error: argument "nons" is wrong: Invalid "netns" value\n\n')  # fmt: skip
    assert ip(w, "ip link add zz type foo") == (2, "", "Error: Unknown device type.\n")
    assert ip(w, "ip link add z type veth peer name") == (
        255, "", 'Command line is not complete. Try option "help"\n')  # fmt: skip
    assert ip(w, "ip link add zz") == (
        1, "", 'Not enough information: "type" argument is required\n')  # fmt: skip
    assert ip(w, "ip link set") == (
        255, "", 'Not enough information: "dev" argument is required.\n')  # fmt: skip


def test_link_add_name_is_a_keyword_prefix() -> None:
    # as in iproute2, "a" is "address": `ip link add a type veth ...` fails
    assert ip(World(), "ip link add a type veth peer name b") == (
        1, "", '"type" is invalid lladdr.\n')  # fmt: skip


def test_link_set(w: World) -> None:
    ok(w, "ip link add br0 type bridge")
    ok(w, "ip l s v0 mtu 1400 address 02:00:00:00:00:09 name q")
    ok(w, "ip link set q master br0")
    ok(w, "ip link set q up")
    dev = w.dev("q")
    assert (dev.mtu, str(dev.address), dev.up) == (1400, "02:00:00:00:00:09", True)
    assert "master br0" in ok(w, "ip link show q")
    ok(w, "ip link set dev q nomaster")
    assert "master" not in ok(w, "ip link show q")
    ok(w, "ip link del q")
    assert "v1" not in ok(w, "ip link")


def test_veth_peer_without_name() -> None:
    w = World(seed=1)
    ok(w, "ip link add z type veth peer")
    assert ok(w, "ip -br link").splitlines()[1].startswith("veth0@z ")


# --- global options and ip netns -------------------------------------------------------------


def test_global_errors(w: World) -> None:
    assert ip(w, "ip foo") == (1, "", 'Object "foo" is unknown, try "ip help".\n')
    assert ip(w, "ip -x link") == (255, "", 'Option "-x" is unknown, try "ip -help".\n')
    assert ip(w, "ip -n zz link") == (
        255, "", 'Cannot open network namespace "zz": No such file or directory\n')  # fmt: skip
    status, _, err = ip(w, "ip")
    assert status == 255 and err.startswith("Usage: ip [ OPTIONS ] OBJECT")


def test_netns_list_and_exec(w: World) -> None:
    ok(w, "ip netns add x")
    ok(w, "ip netns add y")
    ok(w, "ip link set v1 netns x")
    assert "link-netns x" in ok(w, "ip link show v0")  # allocates init_net's id for x
    assert ok(w, "ip netns list") == ok(w, "ip netns") == "y\nx (id: 0)\n"
    assert ok(w, "ip -j netns") == '[{"name":"y"},{"name":"x","id":0}]\n'
    inner = ok(w, "ip netns exec x ip -br link")
    assert (
        inner
        == ok(w, "ip -n x -br link")
        == (
            "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \n"
            f"v1@if3           DOWN           {M1} <BROADCAST,MULTICAST> \n"
        )
    )
    # init_net has no name under /run/netns: the peer is shown by id
    assert ok(w, "ip link show v1", netns="x").rstrip().endswith("link-netnsid 0")
    assert ip(w, "ip netns add x") == (
        1, "", 'Cannot create namespace file "/run/netns/x": File exists\n')  # fmt: skip
    assert ip(w, "ip netns exec x nosuch arg") == (
        127, "", "netsim: nosuch: command not supported\n")  # fmt: skip
    assert ip(w, "ip netns exec zz ip link")[0] == 255
    assert ip(w, "ip netns exec x") == (1, "", "No command specified\n")
    ok(w, "ip netns del x")
    assert ok(w, "ip netns list") == "y\n"
    assert ip(w, "ip netns del zz") == (
        1,
        "",
        'Cannot remove namespace file "/run/netns/zz": No such file or directory\n',
    )


def test_netns_exec_status_is_inner_status(w: World) -> None:
    ok(w, "ip netns add x")
    assert ip(w, "ip netns exec x ip link show nope") == (
        1, "", 'Device "nope" does not exist.\n')  # fmt: skip


# --- ip addr, route, rule, neigh ----------------------------------------------------------------


def test_addr(w: World) -> None:
    ok(w, "ip addr add 10.0.0.1/24 dev v0")
    assert ip(w, "ip addr add 10.0.0.1/24 dev v0") == (
        2, "", "Error: ipv4: Address already assigned.\n")  # fmt: skip
    assert ip(w, "ip a add 10.0.0.1/24 dev nope") == (1, "", 'Cannot find device "nope"\n')
    assert ip(w, "ip addr del 10.9.0.1/24 dev v0") == (
        2, "", "Error: ipv4: Address not found.\n")  # fmt: skip
    assert ip(w, "ip addr add bogus dev v0") == (
        1, "", 'Error: any valid prefix is expected rather than "bogus".\n')  # fmt: skip
    assert ip(w, "ip addr add 10.0.0.2/24") == (
        1, "", 'Not enough information: "dev" argument is required.\n')  # fmt: skip
    assert ip(w, "ip addr add 10.0.0.2/24 dev v0 foo") == (
        255, "", 'Error: either "local" is duplicate, or "foo" is a garbage.\n')  # fmt: skip
    ok(w, "ip link set v0 up")
    assert ok(w, "ip a show dev v0") == (
        "3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue "
        "state LOWERLAYERDOWN group default qlen 1000\n"
        f"    link/ether {M0} brd ff:ff:ff:ff:ff:ff\n"
        "    inet 10.0.0.1/24 scope global v0\n"
        "       valid_lft forever preferred_lft forever\n"
    )
    assert ok(w, "ip -br -4 a") == "v0@v1            LOWERLAYERDOWN 10.0.0.1/24 \n"
    assert ok(w, "ip -4 addr").startswith("3: v0@v1:")
    ok(w, "ip addr add 10.0.1.1/24 brd + label v0:1 dev v0")
    assert "    inet 10.0.1.1/24 brd 10.0.1.255 scope global v0:1\n" in ok(w, "ip addr show v0")
    assert json.loads(ok(w, "ip -j addr show v0"))[0]["addr_info"][1]["label"] == "v0:1"
    ok(w, "ip addr del 10.0.1.1/24 dev v0")
    ok(w, "ip addr flush dev v0")
    assert "inet" not in ok(w, "ip addr show v0")
    assert ip(w, "ip addr show dev nope") == (1, "", 'Device "nope" does not exist.\n')
    assert ip(w, "ip addr foo") == (255, "", 'Command "foo" is unknown, try "ip address help".\n')


def test_route(w: World) -> None:
    ok(w, "ip addr add 10.0.0.1/24 dev v0")
    assert ip(w, "ip route add 10.5.0.0/16 via 10.0.0.254") == (
        2, "", "Error: Nexthop has invalid gateway.\n")  # fmt: skip
    ok(w, "ip link set v0 up")
    ok(w, "ip route add 10.5.0.0/16 via 10.0.0.254")
    assert ip(w, "ip route add 10.5.0.0/16 via 10.0.0.254") == (
        2, "", "RTNETLINK answers: File exists\n")  # fmt: skip
    assert ip(w, "ip route add 10.6.0.0/16 foo") == (
        255, "", 'Error: either "to" is duplicate, or "foo" is a garbage.\n')  # fmt: skip
    assert ip(w, "ip route add 10.10.0.0/16 dev nope") == (1, "", 'Cannot find device "nope"\n')
    ok(w, "ip route add 10.7.0.0/16 dev v0")
    ok(w, "ip route add blackhole 10.8.0.0/16")
    ok(w, "ip route add unreachable 10.9.0.0/16 metric 5")
    assert (
        ok(w, "ip r")
        == ok(w, "ip ro show")
        == (
            "10.0.0.0/24 dev v0 proto kernel scope link src 10.0.0.1 linkdown \n"
            "10.5.0.0/16 via 10.0.0.254 dev v0 linkdown \n"
            "10.7.0.0/16 dev v0 scope link linkdown \n"
            "blackhole 10.8.0.0/16 \n"
            "unreachable 10.9.0.0/16 metric 5 \n"
        )
    )
    route = {"dst": "10.5.0.0/16", "gateway": "10.0.0.254", "dev": "v0", "flags": ["linkdown"]}
    assert json.loads(ok(w, "ip -j route"))[1] == route
    assert ok(w, "ip route get 10.5.1.1") == (
        "10.5.1.1 via 10.0.0.254 dev v0 src 10.0.0.1 uid 0 \n    cache \n")  # fmt: skip
    assert ip(w, "ip r g 10.8.1.1") == (2, "", "RTNETLINK answers: Invalid argument\n")
    assert ip(w, "ip route get 10.200.1.1") == (
        2, "", "RTNETLINK answers: Network is unreachable\n")  # fmt: skip
    ok(w, "ip route replace 10.7.0.0/16 via 10.0.0.2 metric 0")
    assert "10.7.0.0/16 via 10.0.0.2 dev v0 linkdown \n" in ok(w, "ip route")
    ok(w, "ip route del 10.7.0.0/16")
    ok(w, "ip route add 10.20.0.0/16 via 10.0.0.3 table 100")
    assert ok(w, "ip route show table 100") == "10.20.0.0/16 via 10.0.0.3 dev v0 linkdown \n"
    assert "10.20.0.0/16" in ok(w, "ip route show table all")
    assert ip(w, "ip route foo") == (255, "", 'Command "foo" is unknown, try "ip route help".\n')


def test_route_del_without_table(w: World) -> None:
    assert ip(w, "ip route del 10.77.0.0/16") == (2, "", "Error: FIB table does not exist.\n")


def test_rule_and_neigh(w: World) -> None:
    assert ok(w, "ip rule") == (
        "0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
    )
    assert ok(w, "ip -j rule show").startswith('[{"priority":0,"src":"all","table":"local"},')
    ok(w, "ip rule add pref 100 from 10.1.0.0/24 lookup 100")
    assert "100:\tfrom 10.1.0.0/24 lookup 100\n" in ok(w, "ip ru")
    ok(w, "ip rule del pref 100")
    assert "100:" not in ok(w, "ip rule")
    assert ok(w, "ip neigh") == ""
    w.neigh_add("10.0.0.9", dev="v0", lladdr=M1)
    assert ok(w, "ip n show") == f"10.0.0.9 dev v0 lladdr {M1} PERMANENT \n"
    assert ok(w, "ip neigh show dev v0") == f"10.0.0.9 lladdr {M1} PERMANENT \n"


def test_argument_errors(w: World) -> None:
    assert ip(w, "ip route add 10.0.0.0/99 dev v0") == (
        1, "", 'Error: any valid prefix is expected rather than "10.0.0.0/99".\n')  # fmt: skip
    assert ip(w, "ip route get nothing") == (
        1, "", 'Error: any valid prefix is expected rather than "nothing".\n')  # fmt: skip
    assert ip(w, "ip route add 10.0.0.0/8 scope bogus dev v0") == (
        255, "", 'Error: argument "bogus" is wrong: invalid "scope" value\n\n')  # fmt: skip
    assert ip(w, "ip rule add table xx") == (
        255, "", 'Error: argument "xx" is wrong: invalid table ID\n\n')  # fmt: skip
    assert ip(w, "ip link set v0 mtu x") == (
        255, "", 'Error: argument "x" is wrong: Invalid "mtu" value\n\n')  # fmt: skip


def test_bad_addresses(w: World) -> None:
    for line in (
        "ip route add 10.0.0.0/8 via foo dev v0",
        "ip route add 10.0.0.0/8 dev v0 src foo",
    ):
        assert ip(w, line) == (1, "", 'Error: inet address is expected rather than "foo".\n')
    assert ip(w, "ip route get 10.0.0.1 from foo") == (
        1,
        "",
        'Error: inet prefix is expected rather than "foo".\n',
    )


def test_no_traceback_on_bad_input(w: World) -> None:
    for line in (
        "ip route add 10.0.0.0/99 dev v0",
        "ip route add 10.0.0.0/8 scope bogus dev v0",
        "ip rule add table xx",
        "ip route get nothing",
        "ip link set v0 mtu x",
        "ip route add 10.0.0.0/8 via 1.2.3.999 dev v0",
        "ip link add v9 mtu 99999 type veth peer name v8",
    ):
        status, _, err = ip(w, line)
        assert status != 0 and err and "internal error" not in err, line


def test_details(w: World) -> None:
    out = ok(w, "ip -d link show v0")
    assert out.splitlines()[1].endswith("promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 ")
    assert out.splitlines()[2].startswith("    veth")
    ok(w, "ip link add br0 type bridge")
    assert json.loads(ok(w, "ip -d -j link show br0"))[0]["linkinfo"]["info_kind"] == "bridge"


def test_neigh(w: World) -> None:
    ok(w, f"ip neigh add 10.0.0.9 lladdr {M1} dev v0")
    assert ip(w, f"ip neigh add 10.0.0.9 lladdr {M1} dev v0") == (
        2,
        "",
        "RTNETLINK answers: File exists\n",
    )
    assert ip(w, "ip neigh del 10.0.0.8 dev v0") == (
        2,
        "",
        "RTNETLINK answers: No such file or directory\n",
    )
    ok(w, "ip neigh replace 10.0.0.9 lladdr 02:00:00:00:00:03 nud reachable dev v0")
    assert ok(w, "ip neigh") == "10.0.0.9 dev v0 lladdr 02:00:00:00:00:03 REACHABLE \n"
    assert ip(w, "ip neigh add 10.0.0.7 dev nope") == (1, "", 'Cannot find device "nope"\n')
    assert ip(w, "ip neigh add 10.0.0.7") == (
        255,
        "",
        "Device and destination are required arguments.\n",
    )
    assert ip(w, f"ip neigh add 10.0.0.6 lladdr {M1} nud bogus dev v0") == (
        255,
        "",
        'Error: argument "bogus" is wrong: nud state is bad\n',
    )
    ok(w, f"ip neigh add 10.0.0.5 lladdr {M1} dev v0")
    ok(w, "ip neigh flush dev v0")
    assert ok(w, "ip neigh") == f"10.0.0.5 dev v0 lladdr {M1} PERMANENT \n"
    ok(w, "ip neigh del 10.0.0.5 dev v0")
    assert ok(w, "ip neigh") == ""
    assert ip(w, "ip neigh foo") == (255, "", 'Command "foo" is unknown, try "ip neigh help".\n')


def test_link_set_promisc_and_flush() -> None:
    """PROMISC shows the user's setting; promiscuity also counts a bridge's hold."""
    w = World(seed=1)
    res = w.sh(
        "ip link add v0 type veth peer name v1\n"
        "ip link set v0 promisc on\n"
        "ip link add br0 type bridge; ip link set v0 master br0\n"
        "ip link set v0 promisc off\n"
        "ip link set v0 promisc foo\n"
    )
    v0 = w.dev("v0")
    assert (v0.promiscuity, "PROMISC" in link_flags(v0)) == (1, False)
    assert res.stderr == 'Error: argument of "promisc" must be "on" or "off", not "foo"\n'
    assert res.status == 1
    res = w.sh("ip route flush; echo $?; ip route flush table 99; echo $?")
    assert res.stdout == "1\n2\n"
    assert res.stderr == (
        '"ip route flush" requires arguments.\n'
        "Error: ipv4: FIB table does not exist.\nFlush terminated\n"
    )


def test_link_alias(w: World) -> None:
    """``ip link set DEV alias NAME`` (``IFLA_IFALIAS``): shown by ``ip link`` (text
    and JSON, last) and sysfs, not by ``ip addr``; ignored by ``ip link add``; an
    empty alias removes it; 256 bytes are too long (iproute2 6.1 on Linux 6.18)."""
    ok(w, f"ip link add d0 address {M0} alias foo type veth peer name d1 address {M1}")
    assert "alias" not in ok(w, "ip link show d0")
    ok(w, "ip link set d0 al hd0")
    assert ok(w, "ip link show d0").endswith("\n    alias hd0\n")
    assert json.loads(ok(w, "ip -j link show d0"))[0]["ifalias"] == "hd0"
    assert list(json.loads(ok(w, "ip -j -d link show d0"))[0])[-1] == "ifalias"
    assert "alias" not in ok(w, "ip addr show d0")
    assert "ifalias" not in json.loads(ok(w, "ip -j addr show d0"))[0]
    assert w.sh("cat /sys/class/net/d0/ifalias").stdout == "hd0\n"
    status, _, err = ip(w, "ip link set d0 alias " + "x" * 256)
    assert (status, err) == (255, f'Error: argument "{"x" * 256}" is wrong: alias too long\n\n')
    ok(w, "ip link set d0 alias " + "x" * 255)
    w.link_set("d0", alias="")
    assert "alias" not in ok(w, "ip link show d0")
    assert w.sh("cat /sys/class/net/d0/ifalias").stdout == ""
