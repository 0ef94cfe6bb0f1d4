"""``bash -c`` and ``> /dev/udp/HOST/PORT`` under ``netsim sh`` (bash's
``netopen()``; compared with bash in scenarios/netfilter/udp-dev.sh)."""

from __future__ import annotations

from netsim import World


def two_hosts() -> World:
    w = World(seed=1)
    w.sh("ip netns add a\nip netns add b\n"
         "ip -n a link add eth0 type veth peer name eth0 netns b\n"
         "ip -n a addr add 10.1.0.1/24 dev eth0\nip -n b addr add 10.1.0.2/24 dev eth0\n"
         "ip -n a link set eth0 up\nip -n b link set eth0 up\nsleep 1")  # fmt: skip
    return w


def test_a_datagram_from_the_routes_source_to_the_port() -> None:
    w = two_hosts()
    sock = w.udp_socket(netns="b", port=53)
    r = w.sh("ip netns exec a bash -c 'echo hi > /dev/udp/10.1.0.2/53; echo $?'\nsleep 1")
    assert (r.stdout, r.stderr) == ("0\n", "")
    (ev,) = sock.events
    assert ev.kind == "data" and ev.data == b"hi\n"
    assert ev.src == int.from_bytes(bytes([10, 1, 0, 1]), "big")
    assert w.netns("a").inet.sockets.udp == {}  # closed after the command


def test_errors_are_bashs() -> None:
    w = two_hosts()
    r = w.sh("ip netns exec a bash -c 'echo x > /dev/udp/10.9.9.9/53'; echo rc=$?")
    assert r.stdout == "rc=1\n"
    assert r.stderr == ("bash: connect: Network is unreachable\n"
                        "bash: line 1: /dev/udp/10.9.9.9/53: Network is unreachable\n")  # fmt: skip
    r = w.sh("bash -c 'echo x > /dev/udp/10.1.0.2/dns' me")
    assert r.stderr == ("me: line 1: dns: Servname not supported for ai_socktype\n"
                        "me: line 1: /dev/udp/10.1.0.2/dns: Invalid argument\n")  # fmt: skip
    r = w.sh("bash -c 'echo x > /dev/tcp/10.1.0.2/80'")
    assert "/dev/tcp is not modelled yet" in r.stderr


def test_bash_c_arguments_environment_and_namespace() -> None:
    w = two_hosts()
    r = w.sh("X=1 ip netns exec b bash -c 'echo $0 $1 $# X=$X; ip -br addr show eth0; exit 3' z o"
             "; echo rc=$?")  # fmt: skip
    assert r.stdout.splitlines()[0] == "z o 1 X=1"
    assert "10.1.0.2/24" in r.stdout and r.stdout.endswith("rc=3\n")
    assert w.sh("bash -c; echo $?").stdout == "2\n"
    assert "only `bash -c SCRIPT" in w.sh("bash script.sh").stderr
