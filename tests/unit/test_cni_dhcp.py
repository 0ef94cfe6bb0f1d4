"""The dhcp IPAM plugin, its daemon and dnsmasq in simulated time: the lease's
life as ``lease.go``'s ``maintain`` runs it (T1 renewal, T2 rebinding, expiry),
release, CHECK, NAK, and the error texts of ``main.go`` and the daemon's flags.
Timings and texts come from plugins/ipam/dhcp v1.1.1 and dnsmasq 2.90 (the
kernel comparison is scenarios/cni/dhcp.sh)."""

from __future__ import annotations

import re

import pytest

from netsim import World
from netsim.apps import dnsmasq
from netsim.apps.cni_dhcp.command import FlagError, parse_duration, parse_flags, usage
from netsim.apps.cni_dhcp.options import parse_cidr_routes, parse_routes, prepare_options
from netsim.cni.errors import CniError
from netsim.shell.fs import MemFs

SETUP = """\
mkdir -p /var/lib/misc
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add srv
ip -n node link add cni0 type bridge
ip -n node link set cni0 up
ip -n node link add srv0 type veth peer name eth0 netns srv
ip -n node link set srv0 master cni0 up
ip -n srv addr add 10.22.0.1/24 dev eth0
ip -n srv link set eth0 up
/usr/lib/cni/dhcp daemon DFLAGS 2>/tmp/dhcp.log &
"""
CONF = (
    '{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","ipam":{"type":"dhcp"}}'
)
DNSMASQ = ["--conf-file=/dev/null", "--port=0", "--pid-file=", "--interface=eth0",
           "--dhcp-range=10.22.0.10,10.22.0.50,255.255.255.0,2m",
           "--dhcp-leasefile=/var/lib/misc/dnsmasq.leases"]  # fmt: skip


def bed(*, daemon: str = "", server: list[str] | None = None) -> tuple[World, dnsmasq.Server]:
    w = World(seed=1)
    r = w.sh(SETUP.replace("DFLAGS", daemon))
    assert r.status == 0, r.stderr
    fs = fs_of(w)
    srv = dnsmasq.start(w, "srv", server or DNSMASQ, fs)
    assert srv is not None
    return w, srv


def fs_of(w: World) -> MemFs:
    shell = w._shell
    assert shell is not None
    return shell.fs


def cni(w: World, cmd: str, cid: str = "ctr1", pod: str = "pod1", *, plugin: str = "bridge",
        conf: str = CONF, args: str = "MAC=02:00:00:00:00:11") -> tuple[str, int]:  # fmt: skip
    r = w.sh(
        f"ip netns exec node env CNI_COMMAND={cmd} CNI_CONTAINERID={cid} "
        f"CNI_NETNS=/var/run/netns/{pod} CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS={args} "
        f"/usr/lib/cni/{plugin} <<< '{conf}'"
    )
    return r.stdout, r.status


def log(w: World) -> list[str]:
    """The daemon's log without the date and time."""
    return [line.split(" ", 2)[2] for line in fs_of(w).read("/tmp/dhcp.log").splitlines()]


def leases(w: World) -> list[list[str]]:
    return [ln.split() for ln in fs_of(w).read("/var/lib/misc/dnsmasq.leases").splitlines()]


def test_add_gets_the_lease_after_the_first_try_fails() -> None:
    w, _ = bed()
    out, status = cni(w, "ADD")
    assert status == 0
    assert '"address": "10.22.0.35/24"' in out and '"gateway": "10.22.0.1"' in out
    assert log(w)[:4] == [
        "ctr1/mynet/eth0: acquiring lease",
        'Link "eth0" down. Attempting to set up',
        "network is down",  # the packet socket was bound while eth0 was down
        "retrying in 1.944490 seconds",
    ]
    # 2 s +- 1 s, then dnsmasq's 3 s ping check: the lease starts then
    acquired = log(w)[4]
    assert acquired.startswith(
        "ctr1/mynet/eth0: lease acquired, expiration is 1970-01-01 00:02:04.9"
    )
    assert leases(w) == [["124", "02:00:00:00:00:11", "10.22.0.35", "*",
                          "00:63:74:72:31:2f:6d:79:6e:65:74:2f:65:74:68:30"]]  # fmt: skip
    assert w.sh("ip -n pod1 -br addr show eth0").stdout.split()[2] == "10.22.0.35/24"


def test_renewal_at_t1_extends_the_lease() -> None:
    w, _ = bed()
    cni(w, "ADD")
    t0 = w.now
    w.sleep(59)
    assert "renewing lease" not in " ".join(log(w))
    w.sleep(2)  # T1 = 60 s (dnsmasq's option 58 for a 2 min lease)
    assert log(w)[-2:][0] == "ctr1/mynet/eth0: renewing lease"
    assert log(w)[-1].startswith(
        "ctr1/mynet/eth0: lease renewed, expiration is 1970-01-01 00:03:04"
    )
    assert int(leases(w)[0][0]) == int(t0) + 60 + 120
    w.sleep(60)
    assert [x for x in log(w) if "renewed" in x][1].startswith(
        "ctr1/mynet/eth0: lease renewed, expiration is 1970-01-01 00:04:04"
    )


def test_server_gone_renewing_rebinding_then_expiry_brings_the_link_down() -> None:
    w, srv = bed()
    cni(w, "ADD")
    commit = w.now
    srv.stop()
    w.sleep(60 + 215)  # T1, then a whole backoffRetry of renewal (8 tries) ends past T2
    text = log(w)
    assert "ctr1/mynet/eth0: renewing lease" in text
    assert text.count("no DHCP packet received within 10s") == 8
    assert "ctr1/mynet/eth0: no more tries" in text
    assert "ctr1/mynet/eth0: renawal time expired, rebinding" in text
    # rebinding: acquire() again, with the flags netlink gave at the first lookup
    after = text_after(text, "rebinding")
    assert after[1] == 'Link "eth0" down. Attempting to set up'
    assert text.index("ctr1/mynet/eth0: no more tries") == len(text) - len(after) - 1
    assert w.dev("eth0", netns="pod1").up
    w.sleep(240)
    assert text_after(log(w), "rebinding")[-2:] == [
        "ctr1/mynet/eth0: no more tries",
        "ctr1/mynet/eth0: lease expired, bringing interface DOWN",
    ]
    assert not w.dev("eth0", netns="pod1").up
    assert w.now > commit + 120


def text_after(lines: list[str], word: str) -> list[str]:
    i = next(i for i, x in enumerate(lines) if word in x)
    return lines[i:]


def test_dhcp_del_releases_and_bridge_del_cannot() -> None:
    w, _ = bed()
    cni(w, "ADD")
    cni(w, "ADD", "ctr2", "pod2", args="MAC=02:00:00:00:00:22")
    assert [x[2] for x in leases(w)] == ["10.22.0.11", "10.22.0.35"]
    assert cni(w, "DEL", plugin="dhcp", args="") == ("", 0)
    w.sleep(1)
    assert [x[2] for x in leases(w)] == ["10.22.0.11"]
    assert cni(w, "DEL", "ctr2", "pod2", args="") == ("", 0)
    assert log(w)[-1] == "ctr2/mynet/eth0: failed to release DHCP lease: no such device"
    w.sleep(1)
    assert [x[2] for x in leases(w)] == ["10.22.0.11"]
    assert cni(w, "DEL", "ctr2", "pod2", args="") == ("", 0)  # nothing held: fine


def test_check_acquires_a_second_lease_and_both_are_renewed() -> None:
    w, _ = bed()
    cni(w, "ADD")
    conf = CONF.replace("1.0.0", "0.4.0")
    assert cni(w, "CHECK", plugin="dhcp", conf=conf) == ("", 0)
    assert log(w).count("ctr1/mynet/eth0: acquiring lease") == 2
    w.sleep(62)
    assert log(w).count("ctr1/mynet/eth0: renewing lease") == 2


def test_renewal_nak_when_the_server_no_longer_has_the_address() -> None:
    w, srv = bed()
    cni(w, "ADD")
    srv.stop()
    other = [
        a if "dhcp-range" not in a else "--dhcp-range=10.22.0.100,10.22.0.150,2m" for a in DNSMASQ
    ]
    assert dnsmasq.start(w, "srv", other, fs_of(w)) is not None
    w.sleep(61)
    # dnsmasq answers the REQUEST for 10.22.0.35 with a NAK: "address not available"
    assert log(w)[-2:] == ["DHCP server did not renew lease", log(w)[-1]]
    assert log(w)[-1].startswith("retrying in ")


def test_pool_exhausted_no_offer() -> None:
    one = [a if "dhcp-range" not in a else "--dhcp-range=10.22.0.10,10.22.0.10,2m" for a in DNSMASQ]
    w, _ = bed(server=[*one, "--no-ping"])
    assert cni(w, "ADD")[1] == 0
    out, status = cni(w, "ADD", "ctr2", "pod2", args="MAC=02:00:00:00:00:22")
    assert status == 1 and "error calling DHCP.Allocate: no more tries" in out
    assert w.now > 200  # 8 tries of 10 s, 2+-1 s apart four times, then 8, 16, 32, 64 s


def test_broadcast_flag_and_option_121_routes() -> None:
    w, _ = bed(daemon="-broadcast", server=[*DNSMASQ, "--dhcp-option=121,10.99.0.0/16,10.22.0.254"])
    conf = CONF.replace('"type":"dhcp"', '"type":"dhcp","request":[{"option":"121"}]')
    out, status = cni(w, "ADD", conf=conf)
    assert status == 0
    assert '"dst": "10.99.0.0/16",\n            "gw": "10.22.0.254"' in out
    assert "0.0.0.0/0" not in out  # RFC 3442: option 121 replaces the router's default route
    # broadcast replies: dnsmasq put nothing in its ARP table for the client
    assert "lladdr" not in w.sh("ip -n srv neigh").stdout


def test_unicast_replies_inject_the_client_in_the_servers_arp_table() -> None:
    w, _ = bed()
    cni(w, "ADD")
    assert "10.22.0.35 dev eth0 lladdr 02:00:00:00:00:11" in w.sh("ip -n srv neigh").stdout


def test_plugin_errors() -> None:
    w = World(seed=1)
    conf = CONF
    out = w.sh("env CNI_COMMAND=ADD CNI_CONTAINERID=c CNI_NETNS=/var/run/netns/x CNI_IFNAME=eth0 "
               f"CNI_PATH=/usr/lib/cni /usr/lib/cni/dhcp <<< '{conf}'")  # fmt: skip
    assert out.status == 1
    assert (
        '"msg": "error dialing DHCP daemon: dial unix /run/cni/dhcp.sock: connect: '
        'no such file or directory"' in out.stdout
    )
    custom = conf.replace('"type":"dhcp"', '"type":"dhcp","daemonSocketPath":"/run/cnitest/nosock"')
    out = w.sh("mkdir -p /run/cnitest; echo > /run/cnitest/nosock; env CNI_COMMAND=DEL "
               "CNI_CONTAINERID=c CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/dhcp "
               f"<<< '{custom}'")  # fmt: skip
    assert "dial unix /run/cnitest/nosock: connect: connection refused" in out.stdout
    noipam = '{"cniVersion":"1.0.0","name":"mynet","type":"dhcp"}'
    out = w.sh("env CNI_COMMAND=DEL CNI_CONTAINERID=c CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "
               f"/usr/lib/cni/dhcp <<< '{noipam}'")  # fmt: skip
    assert (out.stdout, out.status) == ("", 2)
    assert out.stderr.startswith("panic: runtime error: invalid memory address or nil pointer")


def test_daemon_errors() -> None:
    w = World(seed=1)
    r = w.sh("/usr/lib/cni/dhcp daemon")
    assert r.status == 2 and "start it in the background" in r.stderr
    r = w.sh("/usr/lib/cni/dhcp daemon -x 2>&1 &\n/usr/lib/cni/dhcp daemon &\n"
             "/usr/lib/cni/dhcp daemon 2>/tmp/e &\ncat /tmp/e")  # fmt: skip
    assert r.stdout.startswith(
        "flag provided but not defined: -x\nUsage of daemon:\n  -broadcast\n"
    )
    assert re.search(r"Error getting listener: listen unix /run/cni/dhcp.sock: bind: "
                     "address already in use\n$", r.stdout)  # fmt: skip
    assert w.sh("ls /run/cni").stdout == "dhcp.sock\n"


def test_flags_and_durations() -> None:
    f = parse_flags(["--socketpath=/x", "-broadcast", "-timeout", "1m30s", "-resendmax=5s"])
    assert (f.socketpath, f.broadcast, f.timeout, f.resendmax) == ("/x", True, 90.0, 5.0)
    assert parse_flags(["-broadcast=false"]).broadcast is False
    assert parse_duration("1.5h") == 5400 and parse_duration("300ms") == 0.3
    for bad, text in ((["-timeout"], "flag needs an argument: -timeout"),
                      (["-timeout=abc"], 'invalid value "abc" for flag -timeout: parse error'),
                      (["-broadcast=xyz"], 'invalid boolean value "xyz" for -broadcast'),
                      (["-nope"], "flag provided but not defined: -nope")):  # fmt: skip
        with pytest.raises(FlagError, match=re.escape(text)):
            parse_flags(bad)
    assert (
        "  -resendmax duration\n    \toptional dhcp client resend max duration (default 1m2s)\n"
        in usage()
    )


def test_options() -> None:
    provide = [{"option": "host-name", "fromArg": "K8S_POD_NAME"}]
    req, prov = prepare_options("K8S_POD_NAME=web;X=1", provide, [{"option": "121"}])
    assert list(req) == [121, 3, 1] and prov == {12: b"web"}
    assert list(prepare_options("", [], [{"option": "6", "skipDefault": True}])[0]) == [6]
    text = 'Can not parse option "x": Can not parse option: strconv.ParseUint: parsing "x": invalid'
    with pytest.raises(CniError, match=re.escape(text)):
        prepare_options("", [], [{"option": "x"}])
    with pytest.raises(CniError, match='parsing "300": value out of range'):
        prepare_options("", [{"option": "300", "value": "a"}], [])
    routes = parse_cidr_routes({121: bytes([16, 10, 99, 10, 22, 0, 254, 0, 10, 22, 0, 1])})
    assert [(str(r.dst), str(r.gw)) for r in routes or []] == [
        ("10.99.0.0/16", "10.22.0.254"), ("0.0.0.0/0", "10.22.0.1"),
    ]  # fmt: skip
    assert parse_cidr_routes({121: bytes([33, 1, 2, 3, 4, 5, 6, 7, 8])}) is None
    assert [str(r.dst) for r in parse_routes({33: bytes([10, 1, 2, 3, 10, 22, 0, 1])})] == [
        "10.1.2.3/8"
    ]


def test_dnsmasq_startup_errors() -> None:
    w = World(seed=1)
    sh = "ip netns add s\nip -n s link add eth0 type veth peer name x\n"
    r = w.sh(sh + "ip netns exec s dnsmasq --port=0 --pid-file= --dhcp-range=10.0.0.1,foo")
    assert (r.stderr, r.status) == ("\ndnsmasq: bad command line options: bad dhcp-range\n", 1)
    r = w.sh("ip netns exec s dnsmasq --port=0 --pid-file= --dhcp-range=10.0.0.1,10.0.0.9 "
             "--dhcp-option=3,foo")  # fmt: skip
    assert r.stderr == "\ndnsmasq: bad command line options: bad IP address\n"
    r = w.sh("ip netns exec s dnsmasq --port=0 --pid-file= --dhcp-range=10.0.0.1,10.0.0.9")
    assert r.status == 3 and r.stderr == (
        "\ndnsmasq: cannot open or create lease file /var/lib/misc/dnsmasq.leases: "
        "No such file or directory\n"
    )
    r = w.sh("ip netns exec s dnsmasq --port=0 --pid-file= --conf-file=/nonexist "
             "--dhcp-range=10.0.0.1,10.0.0.9")  # fmt: skip
    assert (r.stderr, r.status) == (
        "\ndnsmasq: cannot read /nonexist: No such file or directory\n",
        3,
    )
    r = w.sh(
        "ip netns exec s dnsmasq --port=0 --pid-file= --dhcp-range=10.0.0.50,10.0.1.1,255.255.255.0"
    )
    assert r.stderr == "\ndnsmasq: bad command line options: inconsistent DHCP range\n"
    r = w.sh("ip netns exec s dnsmasq --foo")
    assert (r.stderr, r.status) == ("\ndnsmasq: bad command line options: try --help\n", 1)
    r = w.sh("ip netns exec s dnsmasq --pid-file= --dhcp-range=10.0.0.1,10.0.0.9")
    assert "DNS is not modelled yet" in r.stderr and r.status == 2
    r = w.sh("ip netns exec s dnsmasq --port=0 --pid-file= --dhcp-host=aa:bb:cc:dd:ee:ff,10.0.0.5")
    assert r.stderr == "netsim: dnsmasq: --dhcp-host is not modelled yet\n"
    ok = "--port=0 --pid-file= --dhcp-range=10.0.0.1,10.0.0.9 --dhcp-leasefile=/tmp/l"
    assert w.sh(f"ip netns exec s dnsmasq {ok}").status == 0
    r = w.sh(f"ip netns exec s dnsmasq {ok}")
    assert (r.stderr, r.status) == (
        "\ndnsmasq: failed to bind DHCP server socket: Address already in use\n",
        2,
    )


def test_background_jobs() -> None:
    w = World(seed=1)
    w.sh("mkdir -p /var/lib/misc; ip netns add s; ip -n s link add eth0 type veth peer name x")
    daemon = "/usr/lib/cni/dhcp daemon -socketpath /tmp/d.sock"
    r = w.sh(f"ip netns exec s env A=1 {daemon} >/tmp/o 2>&1 &\necho $?; ls /tmp")
    assert r.stdout == "0\nd.sock\no\n"
    fg = "--port=0 --pid-file= --dhcp-range=10.0.0.1,10.0.0.9 -k"
    r = w.sh(f"ip netns exec s dnsmasq {fg}")
    assert r.status == 2 and "start it with '&'" in r.stderr
    assert w.sh(f"ip netns exec s dnsmasq {fg} &\necho $?").stdout == "0\n"
    r = w.sh("ip link add d type dummy &\necho not reached")
    assert (r.stdout, r.status) == ("", 2)
    assert "background '&' for ip (only a daemon runs in the background)" in r.stderr
