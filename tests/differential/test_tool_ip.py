"""``netsim sh``'s ``ip`` prints what iproute2 6.1 prints on the real kernel, for the
same command lines (stdout, stderr and exit status), MAC addresses aside."""

from __future__ import annotations

import re

import pytest

from netsim import World
from netsim.shell.proc import Proc
from netsim.tools import ip_main
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

SCRIPT = """\
ip netns add a
ip netns add b
ip -n a link add v0 address 02:00:00:00:00:01 type veth peer name v1 netns b \
address 02:00:00:00:00:02
ip -n a link add v0 type veth peer name v2
ip -n a link set v0 up
ip -n b link set v1 up
ip -n a addr add 10.0.0.1/24 dev v0
ip -n b addr add 10.0.0.2/24 brd + dev v1
ip -n a addr add 10.0.0.1/24 dev v0
ip -n a route add 10.5.0.0/16 via 10.0.0.2
ip -n a route add 10.6.0.0/16 via 10.9.0.2
ip -n a route add blackhole 10.8.0.0/16
ip -n a route add 10.6.0.0/16 foo
ip -n a link show
ip -n a -br link
ip -n a -j link show v0
ip -n b -j -p addr show v1
ip -n a addr
ip -n a -br addr
ip -n a route
ip -n a route get 10.5.1.1
ip -n a -j route get 10.0.0.2
ip -n a r g 10.8.1.1
ip -n a link set nope up
ip -n a link show nope
ip -n a link add br0 address 02:00:00:00:00:10 type bridge
ip -n a link set br0 up
ip -n a l s v0 master br0
ip -n a li sh
ip -n a link foo
ip -n a rule
ip -n b neigh
ip foo
"""

SETTLE = 1.1
_MAC = re.compile(r"\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b")
_PINNED = {"02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:10"}
_NOIPV6 = "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"


def _norm(text: str) -> str:
    def mac(m: re.Match[str]) -> str:
        v = m.group(0)
        return v if v in _PINNED or v in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff") else "MAC"

    return _MAC.sub(mac, text)


def _lines() -> list[str]:
    return SCRIPT.splitlines()


def _kernel() -> list[str]:
    parts = []
    for line in _lines():
        parts.append(f"echo '@@'; {line} 2>&1; echo \"@@rc $?\"")
        if line.startswith("ip netns add"):
            parts.append(f"ip netns exec {line.split()[-1]} {_NOIPV6}")
        if line.endswith(" up") or "master" in line:
            parts.append(f"sleep {SETTLE}")
    out = sandbox.run("\n".join(parts) + "\n")
    return [b.strip("\n") for b in out.split("@@\n")[1:]]


def _sim() -> list[str]:
    w = World(seed=1)
    out = []
    for line in _lines():
        p = Proc(w, "init_net", line.split())
        status = ip_main(p)
        # the kernel side folds stderr into stdout; ip writes one or the other here
        out.append(f"{p.stdout.getvalue()}{p.stderr.getvalue()}@@rc {status}".strip("\n"))
        if line.endswith(" up") or "master" in line:
            w.sleep(SETTLE)
    return out


def test_same_output_as_iproute2() -> None:
    kernel = _kernel()
    sim = _sim()
    assert len(kernel) == len(sim)
    for line, k, s in zip(_lines(), kernel, sim, strict=True):
        assert _norm(s) == _norm(k), f"$ {line}"
