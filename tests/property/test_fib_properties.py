"""Properties of the IPv4 FIB (hypothesis): for any set of unicast routes, a lookup gives
what a brute-force longest-prefix oracle gives, and ``ip route show`` lists each table in
trie order (fib_trie.c)."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import KernelError, World
from netsim.addr import Prefix, ip4_str, mask4
from netsim.backends.sim.dump_l3 import route_records
from netsim.kernel import Link
from netsim.kernel.ipv4.consts import RT_SCOPE_HOST, RT_SCOPE_LINK, RTN_UNICAST, RTPROT_BOOT
from netsim.kernel.ipv4.fib import FibLookupError, FibTable, NextHop, Route

DEVS = ("eth0", "eth1", "eth2")
TABLES = (100, 254)  # the order ``table all`` visits them in (id modulo 256)

# Addresses crowd around a few networks so that prefixes nest and collide.
BASES = (0x0A000000, 0x0A010000, 0x0A010100, 0xC0A80000)
addresses = st.one_of(
    st.integers(0, 0xFFFFFFFF),
    st.builds(lambda base, low: base | low, st.sampled_from(BASES), st.integers(0, 0x1FF)),
)
prefixes = st.builds(
    lambda addr, plen: Prefix(addr & mask4(plen), plen), addresses, st.integers(0, 32)
)
metrics = st.sampled_from((0, 1, 2, 1024))

#: ("add", prefix, metric, dev) or ("del", k): delete the k-th (mod n) route in the table.
table_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), prefixes, metrics, st.sampled_from(DEVS)),
        st.tuples(st.just("del"), st.integers(0, 1000)),
    ),
    max_size=40,
)
#: (prefix, metric, dev, table, mode) for ``World.route_add``.
world_routes = st.lists(
    st.tuples(
        prefixes,
        metrics,
        st.sampled_from(DEVS),
        st.sampled_from(TABLES),
        st.sampled_from(("add", "append")),
    ),
    max_size=30,
)


@dataclass(frozen=True)
class Entry:
    """What the oracle knows of one route; ``seq`` is its arrival."""

    prefix: Prefix
    metric: int
    dev: str
    table: int
    seq: int


def oracle(entries: list[Entry], addr: int) -> Entry | None:
    """All routes whose prefix holds ``addr``: the longest prefix, then the lowest metric,
    then the first to arrive."""
    hits = [e for e in entries if addr in e.prefix]
    return min(hits, key=lambda e: (-e.prefix.prefixlen, e.metric, e.seq), default=None)


def probes(extra: list[int], entries: list[Entry]) -> list[int]:
    """Addresses worth looking up: the given ones and each prefix's edges and neighbours."""
    out = list(extra)
    for e in entries:
        net, last = e.prefix.network, e.prefix.broadcast
        out += [net, last, (net - 1) & 0xFFFFFFFF, (last + 1) & 0xFFFFFFFF]
    return out


def devices() -> tuple[World, dict[str, Link]]:
    """Netns a with eth0..eth2 up (veth pairs within a); lo down: no local table."""
    w = World(seed=1)
    w.netns_add("a")
    for d in DEVS:
        w.add_veth(d, f"{d}p", netns="a")
        w.link_set(d, netns="a", up=True)
    return w, {d: w.dev(d, netns="a") for d in DEVS}


def dump_dst(prefix: Prefix) -> str:
    """A prefix as ``ip -j route show`` spells ``dst``."""
    if prefix.prefixlen == 0:
        return "default"
    if prefix.prefixlen == 32:
        return ip4_str(prefix.network)
    return str(prefix)


def key(entry: Entry) -> tuple[int, int, int, int]:
    """Trie order within a table: by network, longer prefix first, then metric, arrival."""
    return (entry.prefix.network, -entry.prefix.prefixlen, entry.metric, entry.seq)


# --- FibTable directly ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(table_ops, st.lists(addresses, max_size=20))
def test_table_lookup_is_longest_prefix_then_metric_then_arrival(
    ops: list[tuple[Any, ...]], extra: list[int]
) -> None:
    """fib_table_insert/remove/lookup(): after any inserts and deletes, lookup == the oracle."""
    _w, devs = devices()
    table = FibTable(254)
    entries: list[Entry] = []
    routes: dict[Entry, Route] = {}
    for seq, op in enumerate(ops):
        if op[0] == "del":
            if entries:
                gone = entries.pop(op[1] % len(entries))
                table.remove(routes.pop(gone))
            continue
        _, prefix, metric, dev = op
        entry = Entry(prefix, metric, dev, 254, seq)
        hop = NextHop(dev=devs[dev], scope=RT_SCOPE_HOST)
        route = Route(prefix, RTN_UNICAST, 254, RTPROT_BOOT, RT_SCOPE_LINK, metric, nexthops=[hop])
        twin = any((e.prefix, e.metric, e.dev) == (prefix, metric, dev) for e in entries)
        if twin:
            with pytest.raises(KernelError) as exc:
                table.insert(route, excl=False, replace=False, append=True)
            assert exc.value.errno == errno.EEXIST
            continue
        table.insert(route, excl=False, replace=False, append=True)
        entries.append(entry)
        routes[entry] = route
    assert len(table) == len(entries)
    for addr in probes(extra, entries):
        want = oracle(entries, addr)
        if want is None:
            with pytest.raises(FibLookupError) as miss:
                table.lookup(addr)
            assert miss.value.errno == errno.EAGAIN
        else:
            assert table.lookup(addr) is routes[want], ip4_str(addr)


# --- through the World API -----------------------------------------------------------------------


def build(specs: list[tuple[Prefix, int, str, int, str]]) -> tuple[World, list[Entry]]:
    """``ip route add|append PREFIX dev D metric M table T`` for each spec; the oracle keeps
    those the kernel takes (``add`` refuses a taken prefix+metric, ``append`` only a twin)."""
    w, _devs = devices()
    entries: list[Entry] = []
    for seq, (prefix, metric, dev, table, mode) in enumerate(specs):
        same = [e for e in entries if (e.prefix, e.metric, e.table) == (prefix, metric, table)]
        refused = bool(same) if mode == "add" else any(e.dev == dev for e in same)
        if refused:
            with pytest.raises(KernelError) as exc:
                w.route_add(str(prefix), dev=dev, metric=metric, table=table, mode=mode,
                            netns="a")  # fmt: skip
            assert exc.value.message == "RTNETLINK answers: File exists"
            continue
        w.route_add(str(prefix), dev=dev, metric=metric, table=table, mode=mode, netns="a")
        entries.append(Entry(prefix, metric, dev, table, seq))
    return w, entries


@settings(max_examples=200, deadline=None)
@given(world_routes, st.lists(addresses, max_size=20))
def test_route_get_and_table_lookup_agree_with_the_oracle(
    specs: list[tuple[Prefix, int, str, int, str]], extra: list[int]
) -> None:
    """fib_table_lookup(): route get (main) and table 100's lookup give the oracle's route."""
    w, entries = build(specs)
    main = [e for e in entries if e.table == 254]
    t100 = [e for e in entries if e.table == 100]
    for addr in probes(extra, entries):
        want = oracle(main, addr)
        if want is None:
            with pytest.raises(KernelError) as exc:
                w.route_get(ip4_str(addr), netns="a")
            assert exc.value.errno == errno.ENETUNREACH
        else:
            out = w.route_get(ip4_str(addr), netns="a")
            got = (out.route.dst, out.route.priority, out.dev.ifname)
            assert got == (want.prefix, want.metric, want.dev), ip4_str(addr)
        want = oracle(t100, addr)
        table = w.netns("a").ipv4.tables.get(100)
        if want is None:
            if table is not None:
                with pytest.raises(FibLookupError):
                    table.lookup(addr)
        else:
            assert table is not None
            r = table.lookup(addr)
            assert r.nh is not None and r.nh.dev is not None
            assert (r.dst, r.priority, r.nh.dev.ifname) == (want.prefix, want.metric, want.dev)


@settings(max_examples=200, deadline=None)
@given(world_routes)
def test_table_all_dump_is_in_trie_order_within_each_table(
    specs: list[tuple[Prefix, int, str, int, str]],
) -> None:
    """inet_dump_fib(): each table by network, longer prefix first, then metric and arrival."""
    w, entries = build(specs)
    recs = route_records(w.netns("a"), "all")
    got = [(r["dst"], r.get("metric", 0), r["dev"], int(r.get("table", "254"))) for r in recs]
    want = [
        (dump_dst(e.prefix), e.metric, e.dev, e.table)
        for table in TABLES
        for e in sorted((e for e in entries if e.table == table), key=key)
    ]
    assert got == want
    for table in TABLES:  # the property as the kernel states it, read off the dump alone
        nets = [Prefix.parse(d if d != "default" else "0.0.0.0/0")
                for d, _, _, t in got if t == table]  # fmt: skip
        assert nets == sorted(nets, key=lambda p: (p.network, -p.prefixlen))
