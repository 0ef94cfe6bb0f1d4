"""netsim.iproute renders ``ip addr/route/rule/neigh`` JSON as iproute2 6.1 text.

The golden fixtures under tests/data/iproute_golden_l3/<state>.<netns>/ were
recorded from the real ``ip`` 6.1 by make_golden.sh: for every command both
the ``-j`` output and the text output of the same state.  A fixture's name
says which command it is: ``ip[4|6]_[d_|s_|br_]{addr,route,rule,neigh}[_x]``
(``ip_route_get_x`` for ``ip route get``).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from netsim.iproute import (
    ip_addr_show,
    ip_addr_show_brief,
    ip_neigh_show,
    ip_neigh_show_brief,
    ip_route_get,
    ip_route_show,
    ip_rule_show,
)

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "iproute_golden_l3"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
BASE_SET = (
    "ip_addr",
    "ip_d_addr",
    "ip_br_addr",
    "ip_route",
    "ip_route_all",
    "ip4_route_all",
    "ip_d_route_all",
    "ip_rule",
    "ip_d_rule",
    "ip_neigh",
    "ip_s_neigh",
    "ip_br_neigh",
)

Records = list[dict[str, Any]]
Renderer = Callable[[Records, Mapping[int, str]], str]

_NAME = re.compile(r"ip[46]?_(?P<opt>d_|s_|br_)?(?P<obj>addr|route_get|route|rule|neigh)(_\w+)?")


def renderer(name: str) -> Renderer:
    """The renderer for the command a fixture ``name`` stands for."""
    match = _NAME.fullmatch(name)
    assert match, f"fixture name {name!r} names no known command"
    opt, obj = match["opt"] or "", match["obj"]
    details, stats = opt == "d_", opt == "s_"
    if obj == "addr" and opt == "br_":
        return lambda recs, _: ip_addr_show_brief(recs)
    if obj == "addr":
        return lambda recs, names: ip_addr_show(recs, details=details, netns_names=names)
    if obj == "route":
        return lambda recs, _: ip_route_show(recs, details=details, stats=stats)
    if obj == "route_get":
        return lambda recs, _: ip_route_get(recs, details=details, stats=stats)
    if obj == "rule":
        return lambda recs, _: ip_rule_show(recs, details=details)
    if opt == "br_":
        return lambda recs, _: ip_neigh_show_brief(recs)
    return lambda recs, _: ip_neigh_show(recs, stats=stats)


FIXTURES = sorted(
    (case, path.stem)
    for case in CASES
    for path in (GOLDEN / case).glob("*.json")
    if path.stem != "netns"
)


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _netns_names(case: str) -> dict[int, str]:
    entries = _load_json(GOLDEN / case / "netns.json")
    return {int(e["nsid"]): str(e["name"]) for e in entries if "name" in e}


def _text(case: str, name: str) -> str:
    return (GOLDEN / case / f"{name}.txt").read_bytes().decode()


def _visible(text: str) -> list[str]:
    """One line per line, trailing blanks, tabs and the final newline shown."""
    return [repr(line) + "\n" for line in text.splitlines(keepends=True)]


def assert_same_text(got: str, want: str, label: str) -> None:
    if got == want:
        return
    diff = "".join(
        difflib.unified_diff(
            _visible(want), _visible(got), fromfile=f"{label} (iproute2)", tofile="rendered"
        )
    )
    pytest.fail(f"rendered text differs from iproute2's for {label}:\n{diff}", pytrace=False)


def test_fixtures_present() -> None:
    assert len(CASES) >= 7
    for case in CASES:
        for name in BASE_SET:
            assert (GOLDEN / case / f"{name}.json").is_file(), f"{case}/{name}.json"
    for case, name in FIXTURES:
        assert (GOLDEN / case / f"{name}.txt").is_file(), f"{case}/{name}.txt"
        renderer(name)
    names = {name for _, name in FIXTURES}
    assert len({n for n in names if n.startswith("ip_route_get_")}) >= 10


@pytest.mark.parametrize(("case", "name"), FIXTURES)
def test_golden(case: str, name: str) -> None:
    records = _load_json(GOLDEN / case / f"{name}.json")
    got = renderer(name)(records, _netns_names(case))
    assert_same_text(got, _text(case, name), f"{case}/{name}")


# -- one command's text from the records of a richer one ---------------------

# (text of, rendered from the records of)
CROSS = (
    ("ip_addr", "ip_d_addr"),
    ("ip_br_addr", "ip_addr"),
    ("ip_br_addr", "ip_d_addr"),
    ("ip_route_all", "ip_d_route_all"),
    ("ip_rule", "ip_d_rule"),
    ("ip_neigh", "ip_s_neigh"),
    ("ip_br_neigh", "ip_neigh"),
    ("ip_br_neigh", "ip_s_neigh"),
)


@pytest.mark.parametrize(("want", "source"), CROSS)
@pytest.mark.parametrize("case", CASES)
def test_from_richer_records(case: str, want: str, source: str) -> None:
    """Keys only ``-d``/``-s``/full output has are ignored by the plainer
    renderers, so the simulator can keep one record shape."""
    records = _load_json(GOLDEN / case / f"{source}.json")
    got = renderer(want)(records, _netns_names(case))
    assert_same_text(got, _text(case, want), f"{case}/{want} from {source}.json")


# -- quirks the recorded states do not reach (read off iproute2 6.1 source) --


def test_empty_dumps_print_nothing() -> None:
    assert ip_addr_show([]) == ""
    assert ip_addr_show_brief([]) == ""
    assert ip_route_show([]) == ""
    assert ip_route_get([]) == ""
    assert ip_rule_show([]) == ""
    assert ip_neigh_show([]) == ""
    assert ip_neigh_show_brief([]) == ""


def _addr(**extra: Any) -> str:
    link = {"ifindex": 3, "ifname": "x", "flags": ["UP"], "link_type": "ether"}
    addr = {"family": "inet6", "local": "2001:db8::1", "prefixlen": 64, "scope": "global"}
    return ip_addr_show([{**link, "addr_info": [{**addr, **extra}]}]).splitlines()[2]


def test_addr_temporary_optimistic_and_unknown_flags() -> None:
    assert _addr(temporary=True, optimistic=True) == (
        "    inet6 2001:db8::1/64 scope global temporary optimistic "
    )
    assert _addr(ifa_flags="800000") == "    inet6 2001:db8::1/64 scope global flags 800000 "
    assert _addr(ifa_flags=0x4000) == "    inet6 2001:db8::1/64 scope global flags 4000 "


def test_addr_anycast_and_unknown_family() -> None:
    assert _addr(anycast="2001:db8::") == "    inet6 2001:db8::1/64 any 2001:db8:: scope global "
    rec = {"ifindex": 3, "ifname": "x", "link_type": "ether"}
    addr = {"family_index": 99, "scope": "global"}
    got = ip_addr_show([{**rec, "addr_info": [addr]}]).splitlines()[2]
    assert got == "    family 99 scope global "


def test_addr_brief_numeric_operstate() -> None:
    rec = {
        "ifname": "x",
        "operstate_index": 9,
        "addr_info": [{"local": "10.0.0.1", "prefixlen": 8}],
    }
    assert ip_addr_show_brief([rec]) == "x                state 0x910.0.0.1/8 \n"


def test_route_metric_locks() -> None:
    """``mtu lock 1400``: iproute2's JSON drops the lock; netsim's ``lock``."""
    rec = {
        "dst": "10.0.0.0/8",
        "dev": "eth0",
        "flags": [],
        "metrics": [
            {
                "mtu": 1400,
                "rto_min": 300,
                "congestion": "reno",
                "lock": ["mtu", "rto_min", "congctl"],
            }
        ],
    }
    assert ip_route_show([rec]) == (
        "10.0.0.0/8 dev eth0 mtu lock 1400 rto_min lock 300ms congctl lock reno \n"
    )
    rec["metrics"] = [{"lock": ["window"], "features": "0x3", "ecn": None}]
    assert ip_route_show([rec]) == "10.0.0.0/8 dev eth0 window lock 0 features ecn 0x3 \n"


def test_route_cacheinfo_and_stats() -> None:
    rec = {
        "dst": "10.0.0.2",
        "dev": "eth0",
        "flags": [],
        "cache": ["local", "brd"],
        "expires": 5,
        "error": 113,
        "users": 2,
        "age": 7,
        "ipid": "0x1a",
        "ts": "0x10",
        "tsage": 3,
    }
    head = "10.0.0.2 dev eth0 \n    cache <local,brd> expires 5sec error 113 "
    tail = "ipid 0x001a ts 0x10tsage 3sec \n"
    assert ip_route_get([rec]) == f"{head}{tail}"
    assert ip_route_get([rec], stats=True) == f"{head}users 2 age 7sec {tail}"


def test_route_multicast_cache_oifs() -> None:
    rec = {
        "type": "multicast",
        "dst": "239.1.1.1",
        "from": "10.0.0.1",
        "flags": [],
        "cache": [],
        "iif": "eth0",
        "nexthops": [{"dev": "eth1", "flags": []}, {"dev": "eth2", "ttl": 3, "flags": []}],
    }
    assert ip_route_get([rec]) == (
        "multicast 239.1.1.1 from 10.0.0.1 \n    cache iif eth0 Oifs: eth1  eth2(ttl>3) \n"
    )


def test_route_rare_fields() -> None:
    rec = {
        "deleted": True,
        "type": "unicast",
        "dst": "10.0.0.0/8",
        "src": "0/8",
        "nhid": 5,
        "to": "10.9.9.9",
        "via": {"family": "inet6", "host": "fe80::1"},
        "dev": "eth0",
        "table": "main",
        "protocol": "boot",
        "scope": "global",
        "flags": ["dead", "onlink"],
        "flow": {"from": "1", "to": "2"},
        "pref": 3,
        "ttl-propogate": False,
    }
    assert ip_route_show([rec]) == (
        "Deleted 10.0.0.0/8 from 0/8 nhid 5 as to 10.9.9.9 via inet6 fe80::1 dev eth0 "
        "dead onlink realms 1/2 3ttl-propogate disabled\n"
    )
    assert ip_route_show([rec], details=True).startswith(
        "Deleted unicast 10.0.0.0/8 from 0/8 nhid 5 as to 10.9.9.9 via inet6 fe80::1 dev eth0 "
        "table main proto boot scope global dead"
    )


def test_rule_rare_fields() -> None:
    base = {"priority": 5, "src": "all"}
    assert ip_rule_show([{**base, "l3mdev": None}]) == "5:\tfrom all lookup [l3mdev-table]\n"
    assert ip_rule_show([{**base, "nat_gateway": "10.0.0.1"}]) == "5:\tfrom all map-to 10.0.0.1\n"
    assert ip_rule_show([{**base, "masquerade": None}]) == "5:\tfrom all masquerade\n"
    assert ip_rule_show([{**base, "goto": "none"}]) == "5:\tfrom all goto none\n"
    assert ip_rule_show([{**base, "sport_start": 1, "sport_end": 9, "dport": 7}]) == (
        "5:\tfrom all sport 1-9 dport 7\n"
    )
    rec = {"priority": 5, "src": "0", "srclen": 8, "dst": "0", "dstlen": 4, "table": "main"}
    assert ip_rule_show([{**rec, "deleted": True, "protocol": "kernel"}]) == (
        "Deleted 5:\tfrom 0/8 to 0/4 lookup main\n"
    )
    assert ip_rule_show([{**rec, "protocol": "kernel"}], details=True) == (
        "5:\tfrom 0/8 to 0/4 lookup main proto kernel\n"
    )


def test_neigh_miss_offload_and_no_dev() -> None:
    rec = {"miss": None, "dst": "10.0.0.9", "lladdr": "02:00:00:00:00:09", "offload": None}
    assert ip_neigh_show([rec]) == "miss 10.0.0.9 lladdr 02:00:00:00:00:09 offload \n"
    assert ip_neigh_show_brief([rec]) == f"miss {'10.0.0.9':<39} 02:00:00:00:00:09\n"
