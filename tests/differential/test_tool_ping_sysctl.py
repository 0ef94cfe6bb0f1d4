"""``netsim sh``'s ``ping`` and ``sysctl`` print what iputils 20221126 and procps-ng
4.0.2 print on the real kernel, for the same command lines (stdout, stderr and
exit status), round-trip times aside."""

from __future__ import annotations

import re

import pytest

from netsim import World
from netsim.shell.proc import Proc
from netsim.tools import ip_main
from tests.differential import sandbox
from tests.helpers import build_router_topology

pytestmark = pytest.mark.kernel

#: tests.helpers.build_router_topology(forwarding=True), as commands.
SETUP = """\
for n in a r c; do ip netns add $n; ip -n $n link set lo up; \
ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
net.ipv6.conf.default.disable_ipv6=1; done
ip -n a link add eth0 address 02:00:00:00:0a:01 type veth peer name ra netns r \
address 02:00:00:00:0a:fe
ip -n c link add eth0 address 02:00:00:00:0c:01 type veth peer name rc netns r \
address 02:00:00:00:0c:fe
ip -n a addr add 10.1.0.1/24 dev eth0; ip -n a link set eth0 up
ip -n c addr add 10.2.0.1/24 dev eth0; ip -n c link set eth0 up
ip -n r addr add 10.1.0.254/24 dev ra; ip -n r link set ra up
ip -n r addr add 10.2.0.254/24 dev rc; ip -n r link set rc up
ip -n a route add default via 10.1.0.254
ip -n c route add default via 10.2.0.254
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
sleep 1.2
"""

COMMANDS = """\
ip netns exec a ping -c2 -i 0.2 10.2.0.1
ip netns exec a ping -q -c2 -i 0.2 10.2.0.1
ip netns exec c ping -c1 -s 100 -M do 10.1.0.1
ip netns exec a ping -c1 -t1 10.2.0.1
ip netns exec a ping -q -c1 -t1 10.2.0.1
ip netns exec a ping -c1 10.9.9.9
ip netns exec a ping -c1 127.1
ip netns exec a ping -c1 10.1.0.255
ip netns exec a ping -w 2 -i 0.7 10.2.0.1
ip netns exec a ping -qnc1 10.2.0.1 -t 5 -W1
ip netns exec a ping -c1 -W1 10.1.0.9
ip netns exec a ping -c1 -i 0.5x 10.2.0.1
ip netns exec a ping -c1 -I eth0 10.1.0.254
ip netns exec r ping -b -c1 -W1 10.1.0.255
ip netns exec a ping -c1 -I nodev 10.2.0.1
ip netns exec a ping -c abc 10.2.0.1
ip netns exec a ping -c1 -M foo 10.2.0.1
ip netns exec a ping -Z 10.2.0.1
ip netns exec a ping
ip netns exec a sysctl net.ipv4.ip_forward
ip netns exec r sysctl -n net.ipv4.ip_forward net.ipv4.conf.ra.forwarding
ip netns exec a sysctl -w net.ipv4.conf.eth0.rp_filter=2 net.ipv4.ip_forward=1
ip netns exec a sysctl net.ipv4.ip_forward=0
ip netns exec a sysctl net.nosuch
ip netns exec a sysctl -e net.nosuch
ip netns exec a sysctl -w net.ipv4.conf.lo.rp_filter=abc
ip netns exec a sysctl -w net.ipv4.conf=1
ip netns exec a sysctl -w net.ipv4.ip_forward
ip netns exec a sysctl net.ipv4.conf.eth0
ip netns exec a sysctl -Z
"""

_RTT = re.compile(r"time=\d+(\.\d+)? ms|rtt min/avg/max/mdev = [\d./]+ ms|time \d+ms")


def _norm(text: str) -> str:
    return _RTT.sub("TIME", text)


def _lines() -> list[str]:
    return COMMANDS.splitlines()


def _kernel() -> list[str]:
    parts = [SETUP]
    parts += [f"echo '@@'; {line} 2>&1; echo \"@@rc $?\"" for line in _lines()]
    out = sandbox.run("\n".join(parts) + "\n")
    return [b.strip("\n") for b in out.split("@@\n")[1:]]


def _sim() -> list[str]:
    w = World(seed=1)
    build_router_topology(w, forwarding=True)
    out = []
    for line in _lines():
        p = Proc(w, "init_net", line.split())
        status = ip_main(p)
        # stderr first: the real tools write their errors before stdout is flushed
        out.append(f"{p.stderr.getvalue()}{p.stdout.getvalue()}@@rc {status}".strip("\n"))
    return out


def test_same_output_as_iputils_and_procps() -> None:
    kernel = _kernel()
    sim = _sim()
    assert len(kernel) == len(sim)
    for line, k, s in zip(_lines(), kernel, sim, strict=True):
        assert _norm(s) == _norm(k), f"$ {line}"
