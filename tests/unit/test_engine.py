"""The engine: seeded randomness, the calendar, simulated time."""

from __future__ import annotations

import random

import pytest

from netsim.addr import MacAddr, random_mac
from netsim.engine import Engine
from netsim.world import World


def test_random_macs_are_locally_administered_unicast() -> None:
    """eth_random_addr(): U/L bit set, I/G bit clear, as the kernel's 20 samples in T16."""
    rng = random.Random(1)
    for _ in range(1000):
        mac = random_mac(rng)
        assert mac.is_local_admin and not mac.is_multicast


def test_same_seed_same_macs_different_seed_different() -> None:
    def macs(seed: int) -> list[str]:
        w = World(seed)
        w.add_veth("a", "b")
        w.add_bridge("br0")
        return [str(d.address) for d in w.netns()]

    assert macs(3) == macs(3)
    assert macs(3) != macs(4)


def test_callbacks_at_the_same_instant_run_in_scheduling_order() -> None:
    e = Engine()
    seen: list[int] = []
    for i in range(5):
        e.call_later(1.0, seen.append, i)
    e.call_later(0.5, seen.append, -1)
    e.run()
    assert seen == [-1, 0, 1, 2, 3, 4]
    assert e.now == 1.0


def test_run_until_stops_before_later_events_and_timers_cancel() -> None:
    e = Engine()
    seen: list[str] = []
    e.timer(2.0, lambda: seen.append("late"))
    t = e.timer(1.0, lambda: seen.append("cancelled"))
    t.cancel()
    e.run(until=1.5)
    assert seen == [] and e.now == 1.5
    e.run(until=3)
    assert seen == ["late"]


def test_run_into_the_past_is_a_no_op() -> None:
    e = Engine()
    e.run(until=2)
    e.run(until=1)
    assert e.now == 2


def test_mac_parsing_and_printing() -> None:
    assert str(MacAddr("2:0:0:0:1:a")) == "02:00:00:00:01:0a"
    assert MacAddr(b"\x02\x00\x00\x00\x00\x01") == MacAddr("02:00:00:00:00:01")
    with pytest.raises(ValueError):
        MacAddr("02:00:00:00:00")
