"""The ``ping`` and ``sysctl`` tools of ``netsim sh``: what a user sees.  Messages and
exit statuses were taken from iputils 20221126 and procps-ng 4.0.2 in a sandbox
(``unshare -Urnm``); netsim's own refusals start with ``netsim:``."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.shell.proc import Proc
from netsim.tools import TOOLS
from netsim.tools.ping import USAGE as PING_USAGE
from netsim.tools.ping import ping_main
from netsim.tools.sysctl import USAGE as SYSCTL_USAGE
from netsim.tools.sysctl import sysctl_main
from tests.helpers import build_router_topology


def run(w: World, line: str, netns: str = "a") -> tuple[int, str, str]:
    argv = line.split()
    p = Proc(w, netns, argv)
    status = TOOLS[argv[0]](p)
    return status, p.stdout.getvalue(), p.stderr.getvalue()


@pytest.fixture
def w() -> World:
    world = World(seed=1)
    build_router_topology(world, forwarding=True)
    return world


def test_registry() -> None:
    assert TOOLS["ping"] is ping_main
    assert TOOLS["sysctl"] is sysctl_main


# --- ping ---------------------------------------------------------------------------------


def test_ping_replies(w: World) -> None:
    assert run(w, "ping -c2 -i 0.2 10.2.0.1") == (0, (
        "PING 10.2.0.1 (10.2.0.1) 56(84) bytes of data.\n"
        "64 bytes from 10.2.0.1: icmp_seq=1 ttl=63 time=0.080 ms\n"
        "64 bytes from 10.2.0.1: icmp_seq=2 ttl=63 time=0.040 ms\n"
        "\n"
        "--- 10.2.0.1 ping statistics ---\n"
        "2 packets transmitted, 2 received, 0% packet loss, time 200ms\n"
        "rtt min/avg/max/mdev = 0.040/0.060/0.080/0.020 ms\n"
    ), "")  # fmt: skip


def test_ping_quiet_combined_options_and_permutation(w: World) -> None:
    # -q: only the header and the statistics; options may follow the destination
    status, out, err = run(w, "ping -qnc1 10.2.0.1 -s 100 -t 5 -W1 -M do")
    assert (status, err) == (0, "")
    assert out == (
        "PING 10.2.0.1 (10.2.0.1) 100(128) bytes of data.\n"
        "\n"
        "--- 10.2.0.1 ping statistics ---\n"
        "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
        "rtt min/avg/max/mdev = 0.080/0.080/0.080/0.000 ms\n"
    )


def test_ping_icmp_errors_and_timeouts(w: World) -> None:
    status, out, err = run(w, "ping -c1 -t 1 10.2.0.1")
    assert (status, err) == (1, "")
    assert "From 10.1.0.254 icmp_seq=1 Time to live exceeded\n" in out
    assert "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n" in out
    status, out, err = run(w, "ping -q -c1 -t 1 10.2.0.1")
    assert status == 1 and "From" not in out
    status, out, err = run(w, "ping -c1 -W 1 10.1.0.9")
    assert (status, err) == (1, "")
    assert out.endswith("1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n")


def test_ping_deadline_without_count(w: World) -> None:
    status, out, err = run(w, "ping -w 2 -i 0.7 10.2.0.1")
    assert (status, err) == (0, "")
    # sends at 0, 0.7 and 1.4 s (a send due at the deadline itself races on Linux)
    assert out.count(" bytes from ") == 3
    assert "3 packets transmitted, 3 received, 0% packet loss, time 1400ms\n" in out


def test_ping_needs_count_or_deadline(w: World) -> None:
    assert run(w, "ping 10.2.0.1") == (2, "", (
        "netsim: ping: -c COUNT or -w DEADLINE is required (ping would run forever)\n"
    ))  # fmt: skip


def test_ping_connect_errors_go_to_stderr(w: World) -> None:
    w.netns_add("lonely")
    assert run(w, "ping -c1 10.9.9.9", netns="lonely") == (
        2, "", "ping: connect: Network is unreachable\n"
    )  # fmt: skip
    assert run(w, "ping -c1 10.1.0.255") == (2, "", (
        "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n"
    ))  # fmt: skip
    status, out, err = run(w, "ping -b -c1 -W1 10.1.0.255")
    assert status == 1
    assert err == "WARNING: pinging broadcast address\n"
    assert out.startswith("PING 10.1.0.255 (10.1.0.255) 56(84) bytes of data.\n")


def test_ping_interface(w: World) -> None:
    status, out, _ = run(w, "ping -c1 -I eth0 10.1.0.254")
    assert status == 0 and "64 bytes from 10.1.0.254" in out
    assert out.startswith(
        "PING 10.1.0.254 (10.1.0.254) from 10.1.0.1 eth0: 56(84) bytes of data.\n"
    )
    w.netns_add("lonely")
    assert run(w, "ping -c1 -I lo 10.9.9.9", netns="lonely") == (
        2, "", "ping: connect: Network is unreachable\n"
    )  # fmt: skip
    assert run(w, "ping -c1 -I nodev 10.2.0.1") == (
        2, "", "ping: SO_BINDTODEVICE nodev: No such device\n"
    )  # fmt: skip


def test_ping_inet_aton_forms(w: World) -> None:
    # the name as typed in the header and statistics, the address elsewhere
    status, out, _ = run(w, "ping -c1 127.1")
    assert status == 0
    assert out.startswith("PING 127.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1:")
    assert "--- 127.1 ping statistics ---\n" in out
    assert run(w, "ping -c1 0x7f000001")[1].startswith("PING 0x7f000001 (127.0.0.1) ")


@pytest.mark.parametrize(
    ("line", "status", "err"),
    [
        ("ping", 1, "ping: usage error: Destination address required\n"),
        ("ping -c1", 1, "ping: usage error: Destination address required\n"),
        ("ping -c1 nosuchhost", 2, "ping: nosuchhost: Temporary failure in name resolution\n"),
        ("ping -c abc 10.2.0.1", 1, "ping: invalid argument: 'abc'\n"),
        ("ping -c 0 10.2.0.1", 1,
         "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n"),
        ("ping -c1 -t 300 10.2.0.1", 1,
         "ping: invalid argument: '300': out of range: 0 <= value <= 255\n"),
        ("ping -c1 -s abc 10.2.0.1", 1, "ping: invalid argument: 'abc'\n"),
        ("ping -c1 -s -1 10.2.0.1", 1,
         "ping: invalid argument: '-1': out of range: 0 <= value <= 2147483647\n"),
        ("ping -c1 -w 1.5 10.2.0.1", 1, "ping: invalid argument: '1.5'\n"),
        ("ping -c1 -M foo 10.2.0.1", 2, "ping: invalid -M argument: foo\n"),
        ("ping -6 -c1 10.2.0.1", 2, "ping: 10.2.0.1: Address family for hostname not supported\n"),
        ("ping -Z 10.2.0.1", 2, "ping: invalid option -- 'Z'\n" + PING_USAGE),
        ("ping -c", 2, "ping: option requires an argument -- 'c'\n" + PING_USAGE),
        ("ping -h", 2, PING_USAGE),
        ("ping -f -c1 10.2.0.1", 2, "netsim: ping: option -f not supported\n"),
        ("ping -c1 ::1", 2, "netsim: ping: IPv6 not supported\n"),
    ],
)  # fmt: skip
def test_ping_usage_errors(w: World, line: str, status: int, err: str) -> None:
    assert run(w, line) == (status, "", err)


def test_ping_garbage_interval_warns(w: World) -> None:
    status, out, err = run(w, "ping -c1 -i 0.5x 10.2.0.1")
    assert status == 0 and "1 received" in out
    assert err == (
        "ping: option argument contains garbage: x\n"
        "ping: this will become fatal error in the future\n"
    )


def test_ping_version(w: World) -> None:
    status, out, err = run(w, "ping -V")
    assert (status, err) == (0, "")
    assert out.startswith("ping from iputils 20221126\n")


def test_ping_through_ip_netns_exec() -> None:
    w = World(seed=1)
    r = w.sh("ip netns add a\nip -n a link set lo up\nip netns exec a ping -c1 127.0.0.1")
    assert (r.status, r.stderr) == (0, "")
    assert r.stdout == (
        "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n"
        "64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.000 ms\n"
        "\n"
        "--- 127.0.0.1 ping statistics ---\n"
        "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n"
        "rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n"
    )
    r = w.sh("ip netns exec a ping -c1 10.0.0.1; echo status=$?")
    assert r.stdout == "status=2\n"
    assert r.stderr == "ping: connect: Network is unreachable\n"


# --- sysctl -------------------------------------------------------------------------------


@pytest.fixture
def s() -> World:
    world = World(seed=1)
    world.netns_add("a")
    return world


def test_sysctl_read(s: World) -> None:
    assert run(s, "sysctl net.ipv4.ip_forward") == (0, "net.ipv4.ip_forward = 0\n", "")
    assert run(s, "sysctl net/ipv4/ip_forward") == (0, "net.ipv4.ip_forward = 0\n", "")
    assert run(s, "sysctl -n net.ipv4.ip_forward net.ipv4.conf.lo.disable_policy") == (
        0, "0\n1\n", ""
    )  # fmt: skip
    assert run(s, "sysctl -N net.ipv4.ip_forward") == (0, "net.ipv4.ip_forward\n", "")
    # -q only quiets writes
    assert run(s, "sysctl -q net.ipv4.ip_forward") == (0, "net.ipv4.ip_forward = 0\n", "")


def test_sysctl_unknown_keys(s: World) -> None:
    nosuch = "sysctl: cannot stat /proc/sys/net/nosuch: No such file or directory\n"
    assert run(s, "sysctl net.nosuch net.ipv4.ip_forward") == (
        1, "net.ipv4.ip_forward = 0\n", nosuch
    )  # fmt: skip
    # each failed argument adds one to the status
    status, _, err = run(s, "sysctl net.a net.b")
    assert status == 2 and err.count("cannot stat") == 2
    assert run(s, "sysctl -e net.nosuch") == (0, "", "")
    assert run(s, "sysctl -q net.nosuch") == (1, "", nosuch)
    # only /proc/sys/net is modelled
    assert run(s, "sysctl kernel.hostname") == (
        1, "", "sysctl: cannot stat /proc/sys/kernel/hostname: No such file or directory\n"
    )  # fmt: skip


def test_sysctl_directory(s: World) -> None:
    status, out, err = run(s, "sysctl net.ipv4.conf.lo")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        "net.ipv4.conf.lo.accept_local = 0",
        "net.ipv4.conf.lo.accept_redirects = 1",
    ]
    assert all(line.startswith("net.ipv4.conf.lo.") for line in lines)
    status, out, _ = run(s, "sysctl -n net.ipv4.conf.lo")
    assert out.splitlines() == [line.split(" = ", 1)[1] for line in lines]
    status, out, _ = run(s, "sysctl -a")
    assert status == 0 and out == "".join(f"{x}\n" for x in s.netns("a").sysctl.lines("net"))


def test_sysctl_write(s: World) -> None:
    assert run(s, "sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.lo.rp_filter=2") == (
        0, "net.ipv4.ip_forward = 1\nnet.ipv4.conf.lo.rp_filter = 2\n", ""
    )  # fmt: skip
    assert s.netns("a").sysctl.get("net.ipv4.ip_forward") == "1"
    assert s.netns("init_net").sysctl.get("net.ipv4.ip_forward") == "0"
    # procps writes any argument holding "=", -w or not
    assert run(s, "sysctl net.ipv4.ip_forward=0") == (0, "net.ipv4.ip_forward = 0\n", "")
    assert run(s, "sysctl -q -w net.ipv4.ip_forward=1") == (0, "", "")
    assert run(s, "sysctl -w -n net.ipv4.ip_forward=0") == (0, "0\n", "")
    p = Proc(s, "a", ["sysctl", "-w", "net.ipv4.ip_forward =  1"])
    assert sysctl_main(p) == 0 and p.stdout.getvalue() == "net.ipv4.ip_forward = 1\n"


def test_sysctl_write_errors(s: World) -> None:
    bad = 'sysctl: setting key "net.ipv4.conf.lo.rp_filter": Invalid argument\n'
    assert run(s, "sysctl -w net.ipv4.conf.lo.rp_filter=abc net.ipv4.ip_forward=1") == (
        1, "net.ipv4.ip_forward = 1\n", bad
    )  # fmt: skip
    assert run(s, "sysctl -e -w net.ipv4.conf.lo.rp_filter=abc") == (1, "", bad)
    assert run(s, "sysctl -w net.nosuch=1") == (
        1, "", "sysctl: cannot stat /proc/sys/net/nosuch: No such file or directory\n"
    )  # fmt: skip
    assert run(s, "sysctl -e -w net.nosuch=1") == (0, "", "")
    # a directory: the error is printed but not counted
    assert run(s, "sysctl -w net.ipv4.conf=1") == (
        0, "", 'sysctl: setting key "net.ipv4.conf": Invalid argument\n'
    )  # fmt: skip
    assert run(s, "sysctl -w net.ipv4.ip_forward") == (
        1, "", "sysctl: command line(0): invalid syntax, continuing...\n"
    )  # fmt: skip


def test_sysctl_usage(s: World) -> None:
    assert run(s, "sysctl") == (1, "", SYSCTL_USAGE)
    # procps: an unknown option prints the usage on stdout and exits 0
    assert run(s, "sysctl -Z") == (0, SYSCTL_USAGE, "sysctl: invalid option -- 'Z'\n")
    assert run(s, "sysctl -h") == (0, SYSCTL_USAGE, "")
    assert run(s, "sysctl -V") == (0, "sysctl from procps-ng 4.0.2\n", "")
    r = s.sh("sysctl -p")  # Debian's /etc/sysctl.conf: comments only
    assert (r.status, r.stdout, r.stderr) == (0, "", "")
    assert run(s, "sysctl --system") == (1, "", "netsim: sysctl: --system not supported\n")


def test_sysctl_through_shell(s: World) -> None:
    r = s.sh(
        "ip netns exec a sysctl -qw net.ipv4.ip_forward=1\n"
        "ip netns exec a sysctl -n net.ipv4.ip_forward\n"
        "sysctl net.ipv4.ip_forward\n"
    )
    assert (r.status, r.stdout, r.stderr) == (0, "1\nnet.ipv4.ip_forward = 0\n", "")
