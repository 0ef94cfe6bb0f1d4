"""Bad input never gets a traceback: random command lines built from the tools'
own vocabulary (keywords, names, addresses, garbage) always end in an error line
and status the real tool could give — never ``netsim: …: internal error``."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import World
from netsim.shell.proc import Proc
from netsim.tools import TOOLS

WORDS = [
    # objects and commands, whole and abbreviated
    "link", "l", "addr", "a", "address", "route", "r", "ro", "rule", "ru", "neigh", "n",
    "netns", "fdb", "add", "del", "delete", "set", "show", "s", "sh", "list", "flush",
    "replace", "append", "change", "get", "g", "exec", "help", "foo",
    # options
    "-n", "-j", "-p", "-br", "-d", "-s", "-4", "-c", "-W", "-q", "-w", "-x",
    # keywords
    "dev", "type", "veth", "bridge", "peer", "name", "netns", "up", "down", "master",
    "nomaster", "mtu", "address", "via", "table", "metric", "proto", "scope", "src",
    "onlink", "blackhole", "unreachable", "prohibit", "local", "broadcast", "brd", "label",
    "lladdr", "nud", "permanent", "self", "hairpin", "learning", "flood", "on", "off", "from",
    "to", "iif", "oif", "fwmark", "priority", "lookup", "default", "all", "main", "br",
    # values: names, numbers, addresses, prefixes, MACs, garbage
    "v0", "v1", "br0", "lo", "a", "nope", "0", "1", "100", "1500", "65536", "-1",
    "10.0.0.1", "10.0.0.2/24", "10.0.0.0/24", "10.9.0.0/16", "0.0.0.0/0", "1.2.3.4/33",
    "300.1.1.1", "02:00:00:00:00:01", "zz:zz", "", "+",
    "net.ipv4.ip_forward", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=9", "kernel.x",
]  # fmt: skip


def _world() -> World:
    w = World(seed=1)
    w.sh(
        "ip netns add a\n"
        "ip link add v0 type veth peer name v1\n"
        "ip link add br0 type bridge\n"
        "ip addr add 10.0.0.1/24 dev v0\n"
        "ip link set v0 up; ip link set v1 up\n"
    )
    return w


@settings(max_examples=int(os.environ.get("NETSIM_FUZZ_EXAMPLES", "300")), deadline=None)
@given(
    tool=st.sampled_from(sorted(TOOLS)),
    argv=st.lists(st.sampled_from(WORDS), max_size=8),
)
def test_no_tool_ever_crashes(tool: str, argv: list[str]) -> None:
    if tool == "ping" and not any(a in ("-c", "-w") for a in argv):
        argv = ["-c", "1", "-W", "1", *argv]
    p = Proc(_world(), "init_net", [tool, *argv])
    status = TOOLS[tool](p)
    assert "internal error" not in p.stderr.getvalue(), (tool, argv, p.stderr.getvalue())
    assert isinstance(status, int) and 0 <= status <= 255
