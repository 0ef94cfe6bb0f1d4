"""netsim.iproute renders iproute2's JSON records as iproute2 6.1's text.

The golden fixtures under tests/data/iproute_golden/<state>.<netns>/ were
recorded from the real ``ip``/``bridge`` 6.1 by make_golden.sh: for every
command both the ``-j`` output and the text output of the same state.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from netsim.iproute import (
    bridge_fdb_show,
    bridge_link_show,
    ip_link_show,
    ip_link_show_brief,
)

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "iproute_golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())

Records = list[dict[str, Any]]
Renderer = Callable[[Records, Mapping[int, str]], str]

RENDERERS: dict[str, Renderer] = {
    "ip_link": lambda recs, names: ip_link_show(recs, netns_names=names),
    "ip_d_link": lambda recs, names: ip_link_show(recs, details=True, netns_names=names),
    "ip_br_link": lambda recs, _: ip_link_show_brief(recs),
    "fdb": lambda recs, _: bridge_fdb_show(recs),
    "fdb_s": lambda recs, _: bridge_fdb_show(recs, stats=True),
    "br_link": lambda recs, _: bridge_link_show(recs),
    "br_d_link": lambda recs, _: bridge_link_show(recs, details=True),
}


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _netns_names(case: str) -> dict[int, str]:
    entries = _load_json(GOLDEN / case / "netns.json")
    return {int(e["nsid"]): str(e["name"]) for e in entries if "name" in e}


def _visible(text: str) -> list[str]:
    """One line per line, trailing blanks and the missing final newline shown."""
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
    assert len(CASES) >= 10
    for case in CASES:
        for name in RENDERERS:
            assert (GOLDEN / case / f"{name}.json").is_file()
            assert (GOLDEN / case / f"{name}.txt").is_file()


@pytest.mark.parametrize("name", sorted(RENDERERS))
@pytest.mark.parametrize("case", CASES)
def test_golden(case: str, name: str) -> None:
    records = _load_json(GOLDEN / case / f"{name}.json")
    want = (GOLDEN / case / f"{name}.txt").read_bytes().decode()
    got = RENDERERS[name](records, _netns_names(case))
    assert_same_text(got, want, f"{case}/{name}")


@pytest.mark.parametrize("case", CASES)
def test_brief_from_full_records(case: str) -> None:
    """``ip -br link`` text from the records of ``ip -j link show``."""
    records = _load_json(GOLDEN / case / "ip_link.json")
    want = (GOLDEN / case / "ip_br_link.txt").read_text()
    assert_same_text(ip_link_show_brief(records), want, f"{case}/ip_br_link")


@pytest.mark.parametrize("case", CASES)
def test_plain_from_detailed_records(case: str) -> None:
    """Without ``details`` the detail keys of ``ip -j -d`` records are ignored."""
    records = _load_json(GOLDEN / case / "ip_d_link.json")
    want = (GOLDEN / case / "ip_link.txt").read_text()
    got = ip_link_show(records, netns_names=_netns_names(case))
    assert_same_text(got, want, f"{case}/ip_link")


# -- quirks the recorded states do not reach (read off iproute2 6.1 source) --

BASE: dict[str, Any] = {
    "ifindex": 7,
    "ifname": "x",
    "flags": ["BROADCAST", "MULTICAST"],
    "mtu": 1500,
    "qdisc": "noop",
    "operstate": "DOWN",
    "linkmode": "DEFAULT",
    "group": "default",
    "txqlen": 1000,
    "link_type": "ether",
    "address": "02:00:00:00:00:07",
    "broadcast": "ff:ff:ff:ff:ff:ff",
}
TAIL = "    link/ether 02:00:00:00:00:07 brd ff:ff:ff:ff:ff:ff"
HEAD = "mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"


def _link(**extra: Any) -> str:
    return ip_link_show([{**BASE, **extra}])


def test_link_null_is_none() -> None:
    assert _link(link=None) == f"7: x@NONE: <BROADCAST,MULTICAST> {HEAD}{TAIL}\n"


def test_unknown_netnsid() -> None:
    got = _link(link_index=3, link_netnsid=-1)
    assert got == f"7: x@if3: <BROADCAST,MULTICAST> {HEAD}{TAIL} link-netnsid unknown\n"


def test_netnsid_with_and_without_name() -> None:
    rec = {**BASE, "link_index": 3, "link_netnsid": 2}
    assert ip_link_show([rec]).endswith(" link-netnsid 2\n")
    assert ip_link_show([rec], netns_names={2: "pod"}).endswith(" link-netns pod\n")


def test_mdown_alone_keeps_its_comma() -> None:
    assert _link(flags=["M-DOWN"]).startswith("7: x: <,M-DOWN> mtu")


def test_no_qlen_leaves_a_trailing_blank() -> None:
    rec = {k: v for k, v in BASE.items() if k != "txqlen"}
    assert ip_link_show([rec]).splitlines()[0].endswith("group default ")


def test_point_to_point_peer() -> None:
    assert _link(link_pointtopoint=True).splitlines()[1].endswith(" peer ff:ff:ff:ff:ff:ff")


def test_bridge_timer_and_hex_from_ints() -> None:
    rec = {
        **BASE,
        "linkinfo": {
            "info_kind": "bridge",
            "info_data": {"gc_timer": 12345.6, "hello_timer": 0.05, "group_fwd_mask": 0},
        },
    }
    line = ip_link_show([rec], details=True).splitlines()[2]
    assert line == "    bridge hello_timer    0.05 gc_timer 12345.60 group_fwd_mask 0 "


def test_fdb_unknown_state_and_via_ifindex() -> None:
    rec = {
        "mac": "02:00:00:00:00:01",
        "ifname": "vx0",
        "dst": "10.0.0.1",
        "viaIfIndex": 4,
        "linkNetNsId": 1,
        "flags": ["self", "offload"],
        "state": "0x2",
    }
    assert bridge_fdb_show([rec]) == (
        "02:00:00:00:00:01 dev vx0 dst 10.0.0.1 via ifindex 4 link-netnsid 1 "
        "self offload state=0x2\n"
    )


def test_bridge_link_numeric_state_and_hwmode() -> None:
    rec = {
        "ifindex": 4,
        "ifname": "p0",
        "flags": ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
        "mtu": 1500,
        "state": 9,
        "hwmode": "VEPA",
    }
    assert bridge_link_show([rec], details=True) == (
        "4: p0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state (9) hwmode VEPA \n"
    )


def test_empty_dumps_print_nothing() -> None:
    assert ip_link_show([]) == ""
    assert bridge_fdb_show([]) == ""
    assert bridge_link_show([]) == ""
