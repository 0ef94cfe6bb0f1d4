"""IPv4 policy routing rules (net/core/fib_rules.c, net/ipv4/fib_rules.c): ``ip rule
add|del|show`` and how rules steer ``ip route get`` (reference/kernel.md §2, transcript T15)."""

from __future__ import annotations

import errno

import pytest

from netsim import World
from netsim.backends.sim.dump_l3 import route_get_record, rule_records
from tests.l3view import error, get, get_errno, rules

DEFAULT_RULES = ["0: from all lookup local", "32766: from all lookup main",
                 "32767: from all lookup default"]  # fmt: skip


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def w() -> World:
    """T15's host: netns a, eth0 10.1.0.1/24 up (veth to b), ``default via 10.1.0.254`` in
    main and ``default via 10.1.0.201`` in table 100."""
    w = World(seed=7)
    for ns in ("a", "b"):
        w.netns_add(ns)
        w.link_set("lo", netns=ns, up=True)
    w.add_veth("eth0", "eth0", netns="a", peer_netns="b")
    w.link_set("eth0", netns="a", up=True)
    w.link_set("eth0", netns="b", up=True)
    w.addr_add("10.1.0.1/24", dev="eth0", netns="a")
    w.route_add("default", via="10.1.0.254", netns="a")
    w.route_add("default", via="10.1.0.201", table=100, netns="a")
    return w


MAIN = "via 10.1.0.254 dev eth0 src 10.1.0.1"
T100 = "via 10.1.0.201 dev eth0 table 100 src 10.1.0.1"


# --- the rule list -------------------------------------------------------------------------------


def test_a_new_netns_has_the_three_default_rules(w: World) -> None:
    """T01: ``0: from all lookup local``, ``32766: ... main``, ``32767: ... default``."""
    assert rules(w) == DEFAULT_RULES
    assert rule_records(w.netns("a"))[0] == {"priority": 0, "src": "all", "table": "local"}


def test_rules_without_pref_get_32765_then_32764(w: World) -> None:
    """T15 (with a /24 source): fib_default_rule_pref(): the second rule's priority minus one."""
    w.rule_add(src="10.1.0.0/24", table=100, netns="a")
    w.rule_add(dst="10.66.0.0/16", table=101, netns="a")
    assert rules(w) == [
        "0: from all lookup local",
        "32764: from all to 10.66.0.0/16 lookup 101",
        "32765: from 10.1.0.0/24 lookup 100",
        "32766: from all lookup main",
        "32767: from all lookup default",
    ]


def test_auto_priority_follows_the_second_rule(w: World) -> None:
    """fib_default_rule_pref() (kernel run): after ``pref 100``, a rule without pref gets 99."""
    w.rule_add(priority=100, dst="10.70.0.0/16", table=100, netns="a")
    w.rule_add(dst="10.71.0.0/16", table=100, netns="a")
    assert [r["priority"] for r in rule_records(w.netns("a"))] == [0, 99, 100, 32766, 32767]


def test_rules_of_equal_priority_keep_their_order(w: World) -> None:
    """fib_nl_newrule(): a rule goes after every rule of its priority (kernel run)."""
    w.rule_add(priority=32766, dst="10.70.0.0/16", table=100, netns="a")
    assert rules(w)[1:3] == ["32766: from all lookup main",
                             "32766: from all to 10.70.0.0/16 lookup 100"]  # fmt: skip


def test_duplicate_rule_is_refused(w: World) -> None:
    """rule_exists() (kernel run): the same rule at the same priority: ``File exists``."""
    w.rule_add(priority=32765, src="10.1.0.77", table=100, netns="a")
    assert error(w.rule_add, priority=32765, src="10.1.0.77", table=100, netns="a") == (
        "RTNETLINK answers: File exists"
    )


def test_deleting_a_missing_rule_is_refused(w: World) -> None:
    """fib_nl_delrule() (kernel run): ``RTNETLINK answers: No such file or directory``."""
    for kwargs in ({"src": "10.1.0.99"}, {"priority": 1234}, {"table": 555}):
        assert error(w.rule_del, netns="a", **kwargs) == (
            "RTNETLINK answers: No such file or directory"
        )
    assert rules(w) == DEFAULT_RULES


def test_rule_del_by_priority_or_selector(w: World) -> None:
    """T15: ``rule del pref 32765``; ``rule del from P`` deletes the first rule from P."""
    w.rule_add(src="10.1.0.77", table=100, netns="a")
    w.rule_add(dst="10.66.0.0/16", table=100, netns="a")
    w.rule_add(src="10.1.0.77", table=100, netns="a")  # 32763
    w.rule_del(priority=32765, netns="a")
    w.rule_del(src="10.1.0.77", netns="a")
    assert rules(w) == [
        "0: from all lookup local",
        "32764: from all to 10.66.0.0/16 lookup 100",
        "32766: from all lookup main",
        "32767: from all lookup default",
    ]


def test_action_rules_are_listed_with_their_action(w: World) -> None:
    """Kernel run: ``blackhole``, ``unreachable`` and ``prohibit`` instead of ``lookup``."""
    w.rule_add(priority=100, dst="10.70.0.0/16", action="blackhole", netns="a")
    w.rule_add(priority=101, dst="10.71.0.0/16", action="unreachable", netns="a")
    w.rule_add(priority=102, dst="10.72.0.0/16", action="prohibit", netns="a")
    assert rules(w)[1:4] == [
        "100: from all to 10.70.0.0/16 blackhole",
        "101: from all to 10.71.0.0/16 unreachable",
        "102: from all to 10.72.0.0/16 prohibit",
    ]
    assert rule_records(w.netns("a"))[1] == {
        "priority": 100, "src": "all", "dst": "10.70.0.0", "dstlen": 16, "action": "blackhole",
    }  # fmt: skip


def test_selectors_are_listed(w: World) -> None:
    """Kernel run: ``not``, prefixes, ``fwmark`` and ``iif`` in ``ip rule show``."""
    w.rule_add(src="10.1.0.0/24", dst="10.90.0.0/16", table=100, invert=True, netns="a")
    w.rule_add(fwmark=7, iif="lo", table=100, netns="a")
    assert rules(w)[1:3] == [
        "32764: from all fwmark 0x7 iif lo lookup 100",
        "32765: not from 10.1.0.0/24 to 10.90.0.0/16 lookup 100",
    ]


def test_host_selectors_are_listed_without_length(w: World) -> None:
    """T15 + kernel run: ``from 10.1.0.77 lookup 100`` (JSON: no ``srclen``), same for ``to``."""
    w.rule_add(src="10.1.0.77", table=100, netns="a")
    w.rule_add(dst="10.80.0.1", table=100, netns="a")
    recs = rule_records(w.netns("a"))
    assert recs[1:3] == [
        {"priority": 32764, "src": "all", "dst": "10.80.0.1", "table": "100"},
        {"priority": 32765, "src": "10.1.0.77", "table": "100"},
    ]


# --- rules steering lookups ----------------------------------------------------------------------


def test_to_selector_steers_into_table_100(w: World) -> None:
    """T15: ``rule add to 10.66.0.0/16 table 100``: 10.66.1.1 uses table 100, others main."""
    w.rule_add(dst="10.66.0.0/16", table=100, netns="a")
    assert get(w, "10.66.1.1") == f"10.66.1.1 {T100}"
    assert get(w, "10.67.1.1") == f"10.67.1.1 {MAIN}"


def test_from_selector_needs_a_local_source(w: World) -> None:
    """T15: ``from 10.1.0.77`` is unreachable until 10.1.0.77 is ours; then table 100."""
    w.rule_add(src="10.1.0.77", table=100, netns="a")
    assert get_errno(w, "8.8.8.8", src="10.1.0.77") == errno.ENETUNREACH
    w.addr_add("10.1.0.77/24", dev="eth0", netns="a")
    assert get(w, "8.8.8.8", src="10.1.0.77") == (
        "8.8.8.8 from 10.1.0.77 via 10.1.0.201 dev eth0 table 100"
    )
    assert get(w, "8.8.8.8") == f"8.8.8.8 {MAIN}"


def test_iif_lo_matches_locally_generated_lookups(w: World) -> None:
    """ip_route_output_key() (kernel run): output lookups have iif lo: ``iif lo`` matches."""
    w.rule_add(iif="lo", dst="10.67.0.0/16", table=100, netns="a")
    w.rule_add(iif="eth0", dst="10.68.0.0/16", table=100, netns="a")
    assert get(w, "10.67.1.1") == f"10.67.1.1 {T100}"
    assert get(w, "10.68.1.1") == f"10.68.1.1 {MAIN}"


def test_fwmark_selector_matches_the_mark(w: World) -> None:
    """fib_rule_match() (kernel run): ``fwmark 7``: ``route get ... mark 7`` uses table 100."""
    w.rule_add(fwmark=7, table=100, netns="a")
    assert get(w, "8.8.8.8", mark=7) == f"8.8.8.8 {T100} mark 7"
    assert get(w, "8.8.8.8", mark=8) == f"8.8.8.8 {MAIN} mark 8"


def test_route_get_shows_the_mark(w: World) -> None:
    """rt_fill_info() (kernel run): ``ip -j route get 8.8.8.8 mark 7`` has ``"mark": 7``."""
    w.rule_add(fwmark=7, table=100, netns="a")
    rec = route_get_record(w.route_get("8.8.8.8", mark=7, netns="a"))
    assert rec == {"dst": "8.8.8.8", "gateway": "10.1.0.201", "dev": "eth0", "table": "100",
                   "prefsrc": "10.1.0.1", "flags": [], "mark": 7, "uid": 0,
                   "cache": []}  # fmt: skip


def test_not_inverts_the_whole_match(w: World) -> None:
    """fib_rule_match() (kernel run): ``not to 10.90.0.0/16``: everything else goes to 100."""
    w.rule_add(dst="10.90.0.0/16", table=100, invert=True, netns="a")
    assert get(w, "10.90.0.1") == f"10.90.0.1 {MAIN}"
    assert get(w, "10.89.0.1") == f"10.89.0.1 {T100}"


def test_throw_in_table_100_falls_through_to_main(w: World) -> None:
    """fib_rules_lookup(): a ``throw`` route ends table 100's lookup with EAGAIN: next rule."""
    w.rule_add(dst="10.66.0.0/16", table=100, netns="a")
    w.route_add("10.66.5.0/24", type="throw", table=100, netns="a")
    assert get(w, "10.66.5.1") == f"10.66.5.1 {MAIN}"
    assert get(w, "10.66.1.1") == f"10.66.1.1 {T100}"


def test_a_rule_to_a_missing_table_is_skipped(w: World) -> None:
    """fib4_rule_action() (kernel run): ``lookup 200`` with no table 200 goes on to main."""
    w.rule_add(dst="10.91.0.0/16", table=200, netns="a")
    assert get(w, "10.91.0.1") == f"10.91.0.1 {MAIN}"


def test_an_unreachable_route_in_table_100_does_not_fall_through(w: World) -> None:
    """fib_rules_lookup() (kernel run): only EAGAIN goes on; ``unreachable`` is EHOSTUNREACH."""
    w.route_add("10.92.0.0/16", type="unreachable", table=100, netns="a")
    w.rule_add(dst="10.92.0.0/16", table=100, netns="a")
    assert get_errno(w, "10.92.0.1") == errno.EHOSTUNREACH


@pytest.mark.parametrize(
    ("action", "err", "message"),
    [
        ("blackhole", errno.EINVAL, "RTNETLINK answers: Invalid argument"),
        ("unreachable", errno.ENETUNREACH, "RTNETLINK answers: Network is unreachable"),
        ("prohibit", errno.EACCES, "RTNETLINK answers: Permission denied"),
    ],
)
def test_action_rules_refuse_the_lookup(w: World, action: str, err: int, message: str) -> None:
    """fib4_rule_action(): blackhole EINVAL, unreachable ENETUNREACH, prohibit EACCES."""
    w.rule_add(priority=100, dst="10.70.0.0/16", action=action, netns="a")
    assert error(w.route_get, "10.70.0.1", netns="a") == message
    assert get_errno(w, "10.70.0.1") == err
    assert get(w, "10.71.0.1") == f"10.71.0.1 {MAIN}"


def test_deleting_the_main_rule_leaves_main_unused(w: World) -> None:
    """Kernel run: with ``32766: lookup main`` gone, a catch-all rule to 100 decides."""
    w.rule_add(priority=32000, table=100, netns="a")
    assert get(w, "8.8.8.8") == f"8.8.8.8 {T100}"
    w.rule_del(priority=32000, netns="a")
    w.rule_del(priority=32766, netns="a")
    assert get_errno(w, "8.8.8.8") == errno.ENETUNREACH


# --- the table in route get answers --------------------------------------------------------------


def test_no_table_key_without_custom_rules(w: World) -> None:
    """T03: without rules local and main are one trie: ``local 10.1.0.1 dev lo`` (no table)."""
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo src 10.1.0.1"
    assert get(w, "10.1.0.255") == "broadcast 10.1.0.255 dev eth0 src 10.1.0.1"
    assert w.netns("a").ipv4.custom_rules is False


def test_table_key_with_custom_rules_even_after_they_are_gone(w: World) -> None:
    """T15 (kernel run): with custom rules, ever, route get names non-main tables."""
    w.rule_add(dst="10.30.0.0/16", table=100, netns="a")
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo table local src 10.1.0.1"
    assert get(w, "10.1.0.255") == "broadcast 10.1.0.255 dev eth0 table local src 10.1.0.1"
    assert get(w, "10.30.0.1") == f"10.30.0.1 {T100}"
    assert get(w, "10.1.0.2") == "10.1.0.2 dev eth0 src 10.1.0.1"
    w.rule_del(dst="10.30.0.0/16", table=100, netns="a")
    assert get(w, "10.1.0.1") == "local 10.1.0.1 dev lo table local src 10.1.0.1"
    assert get(w, "10.30.0.1") == f"10.30.0.1 {MAIN}"
