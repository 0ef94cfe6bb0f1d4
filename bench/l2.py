"""Frames forwarded per second through a chain of 10 Linux bridges.

Topology (every MAC explicit, everything up)::

    h0.eth0 -- b1.p0 [br0] b1.p1 -- b2.p0 [br0] ... b10.p1 -- h11.eth0

Both directions are learned before timing starts (one frame h11 -> h0, one
h0 -> h11), so every measured frame is known unicast: 11 veth crossings and
10 bridge forwards from h0 to h11.

One *frame-hop* is one frame crossing one bridge; a frame sent end to end is
10 frame-hops.  Rates are frame-hops per second of wall time (``perf_counter``)
over the sends and the whole simulation run; building the world and checking
the result are not timed.  Each timed run starts from a fresh world after a
full ``gc.collect()``; the cyclic GC stays on during the run, and the time it
takes is reported as the "gc" column.

The baseline is bare simpy in the idiomatic "one process per device" design:
10 processes chained by ``Store``s, each doing ``item = yield store_in.get();
yield store_out.put(item)``, fed by one producer process and drained by one
sink process, moving the same frozen Ethernet frame object.

Run ``make bench`` (``.venv/bin/python bench/l2.py``); ``--profile`` runs
cProfile on the traced burst case and prints the top functions by tottime.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Final

import simpy
from timing import Timing, timed  # bench/ is the script's directory

from netsim import World
from netsim.addr import MacAddr
from netsim.kernel import Bridge
from netsim.kernel.links.base import Link
from netsim.kernel.skb import Skb
from netsim.packet import ETH_P_IP, IPPROTO_UDP, UDP, Ethernet, IPv4, ipv4_addr
from netsim.trace import Disposition

BRIDGES: Final = 10
RECEIVER: Final = f"h{BRIDGES + 1}"
#: Simulated gap between two frames of the paced stream.
PACE: Final = 1e-6
#: Simulated time allowed after the last send, ample for 11 crossings of 10 µs.
DRAIN: Final = 1e-3

TARGET_RATE: Final = 500_000
TARGET_RATIO: Final = 2.5

H0_MAC: Final = MacAddr("02:00:00:00:00:01")
H11_MAC: Final = MacAddr("02:00:00:00:0b:01")


def _port_mac(bridge: int, port: int) -> str:
    return f"02:00:00:00:{bridge:02x}:{port + 0x10:02x}"


def _udp_frame(src: MacAddr, dst: MacAddr, sip: str, dip: str) -> Ethernet:
    udp = UDP(sport=4000, dport=5000, payload=bytes(18))
    ip = IPv4(src=ipv4_addr(sip), dst=ipv4_addr(dip), proto=IPPROTO_UDP, payload=udp)
    return Ethernet(dst=dst, src=src, ethertype=ETH_P_IP, payload=ip)


#: The frame every measured send carries (the same frozen object each time).
FRAME: Final = _udp_frame(H0_MAC, H11_MAC, "10.0.0.1", "10.0.0.11")
#: The frame h11 sends once so that every bridge learns where h11 is.
REVERSE: Final = _udp_frame(H11_MAC, H0_MAC, "10.0.0.11", "10.0.0.1")


# --- netsim ----------------------------------------------------------------------------------


def build(*, trace: bool) -> World:
    """The chain with both directions learned; the clock parked after the learning frames."""
    w = World(seed=1, trace=trace)
    for ns in ["h0", *(f"b{i}" for i in range(1, BRIDGES + 1)), RECEIVER]:
        w.netns_add(ns)
    for i in range(1, BRIDGES + 1):
        w.add_bridge("br0", netns=f"b{i}", address=f"02:00:00:00:{i:02x}:00")
    w.add_veth(
        "eth0", "p0", netns="h0", peer_netns="b1", address=H0_MAC, peer_address=_port_mac(1, 0)
    )
    for i in range(1, BRIDGES):
        w.add_veth(
            "p1",
            "p0",
            netns=f"b{i}",
            peer_netns=f"b{i + 1}",
            address=_port_mac(i, 1),
            peer_address=_port_mac(i + 1, 0),
        )
    w.add_veth(
        "p1",
        "eth0",
        netns=f"b{BRIDGES}",
        peer_netns=RECEIVER,
        address=_port_mac(BRIDGES, 1),
        peer_address=H11_MAC,
    )
    for i in range(1, BRIDGES + 1):
        w.link_set("br0", netns=f"b{i}", up=True)
        for port in ("p0", "p1"):
            w.link_set(port, netns=f"b{i}", master="br0", up=True)
    w.link_set("eth0", netns="h0", up=True)
    w.link_set("eth0", netns=RECEIVER, up=True)

    w.send(REVERSE, dev="eth0", netns=RECEIVER)  # flooded: every bridge learns h11
    w.sleep(DRAIN)
    w.send(FRAME, dev="eth0", netns="h0")  # known unicast now; every bridge learns h0
    w.sleep(DRAIN)
    for i in range(1, BRIDGES + 1):
        br = w.dev("br0", netns=f"b{i}")
        assert isinstance(br, Bridge)
        if br.fdb.find(H0_MAC) is None or br.fdb.find(H11_MAC) is None:
            raise SystemExit(f"b{i}: FDB did not learn both hosts")
    if trace:
        # each learning frame crosses the chain; the far host's stack (no address) drops it
        ends = [t.end for t in w.traces()]
        if ends != [("h0", "eth0"), (RECEIVER, "eth0")]:
            raise SystemExit(f"a learning frame did not cross the chain: {ends}")
        w.trace.clear()
    return w


class Counter:
    """A protocol handler at the receiver: counts the IPv4 frames reaching its stack."""

    __slots__ = ("n",)

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, skb: Skb, dev: Link) -> None:
        self.n += 1
        steps = skb.steps
        if steps is not None:  # traced: the journey ends here, taken in as a stack would
            engine = dev.kernel.engine
            skb.note(engine.now, RECEIVER, dev.ifname, "DELIVERED", "counted")
            assert skb.path is not None
            engine.trace.end(skb.flow, steps, skb.path, "DELIVERED", "counted")


def send_burst(w: World, n: int) -> None:
    """``n`` frames sent at one instant, then the simulation run until they are through."""
    for _ in range(n):
        w.send(FRAME, dev="eth0", netns="h0")
    w.run(w.now + DRAIN)


def send_paced(w: World, n: int) -> None:
    """One frame every ``PACE`` simulated seconds, each send scheduled by the previous one."""
    engine = w.engine
    left = n

    def tick(_: object) -> None:
        nonlocal left
        w.send(FRAME, dev="eth0", netns="h0")
        left -= 1
        if left:
            engine.call_later(PACE, tick, None)

    engine.call_later(0.0, tick, None)
    w.run(w.now + n * PACE + DRAIN)


def prepare(*, trace: bool) -> tuple[World, Counter]:
    """A fresh world with a counter as the receiver's IPv4 handler (its stack has no
    address and would drop the frames)."""
    w = build(trace=trace)
    counter = Counter()
    w.netns(RECEIVER).protocols[ETH_P_IP] = counter
    return w, counter


def verify(w: World, counter: Counter, n: int) -> None:
    """All ``n`` frames, and nothing else, ended DELIVERED at the receiver."""
    if w.trace.enabled:
        ends = w.traces()
        delivered = sum(
            t.disposition is Disposition.DELIVERED and t.end == (RECEIVER, "eth0") for t in ends
        )
        if len(ends) != n or delivered != n:
            raise SystemExit(f"{len(ends)} traces, {delivered} of {n} frames delivered")
    elif counter.n != n:
        raise SystemExit(f"{counter.n} of {n} frames reached {RECEIVER}")


def run_netsim(n: int, *, trace: bool, paced: bool) -> Timing:
    """Push ``n`` frames from h0 to the receiver; check that all of them arrived."""
    w, counter = prepare(trace=trace)
    send = send_paced if paced else send_burst
    timing = timed(lambda: send(w, n))
    verify(w, counter, n)
    return timing


# --- bare simpy baseline -------------------------------------------------------------------


def run_baseline(n: int) -> Timing:
    """Move ``n`` items through ``BRIDGES`` processes chained by ``Store``s."""
    env = simpy.Environment()
    stores = [simpy.Store(env) for _ in range(BRIDGES + 1)]
    received = 0

    def producer() -> Generator[simpy.Event, Any, None]:
        for _ in range(n):
            yield stores[0].put(FRAME)

    def hop(store_in: simpy.Store, store_out: simpy.Store) -> Generator[simpy.Event, Any, None]:
        while True:
            item = yield store_in.get()
            yield store_out.put(item)

    def sink() -> Generator[simpy.Event, Any, None]:
        nonlocal received
        while True:
            yield stores[-1].get()
            received += 1

    for i in range(BRIDGES):
        env.process(hop(stores[i], stores[i + 1]))
    env.process(sink())

    def go() -> None:
        env.process(producer())
        env.run()

    timing = timed(go)
    if received != n:
        raise SystemExit(f"baseline: {received} of {n} items arrived")
    return timing


# --- driver --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    run: Callable[[int], Timing]


CASES: Final = (
    Case("netsim traced, burst", lambda n: run_netsim(n, trace=True, paced=False)),
    Case("netsim traced, paced 1us", lambda n: run_netsim(n, trace=True, paced=True)),
    Case("netsim untraced, burst", lambda n: run_netsim(n, trace=False, paced=False)),
    Case("netsim untraced, paced 1us", lambda n: run_netsim(n, trace=False, paced=True)),
    Case("simpy Store chain, burst", run_baseline),
)
BASELINE: Final = CASES[-1].name


def measure(n: int, repeat: int) -> dict[str, list[Timing]]:
    """``repeat`` timed runs of every case, after one smaller warm-up run of each."""
    for case in CASES:
        case.run(max(n // 10, 100))
    timings: dict[str, list[Timing]] = {c.name: [] for c in CASES}
    for _ in range(repeat):  # interleaved: drift in machine load hits every case alike
        for case in CASES:
            timings[case.name].append(case.run(n))
    return timings


def report(n: int, timings: dict[str, list[Timing]]) -> bool:
    """Print the table and the verdict; return whether every target is met."""
    hops = n * BRIDGES
    repeat = len(timings[BASELINE])
    print(f"{n} frames through {BRIDGES} bridges = {hops} frame-hops per run")
    print("1 frame-hop = 1 frame crossing 1 bridge (plus its share of the veth crossings)")
    print(f"rates in frame-hops per wall second, {repeat} runs per case\n")
    base = max(hops / t.wall for t in timings[BASELINE])
    print(f"{'case':28} {'best':>10} {'median':>10} {'gc':>5} {'best/base':>10}")
    ok = True
    for name, runs in timings.items():
        rates = [hops / t.wall for t in runs]
        best = max(rates)
        gc_share = statistics.median(t.gc / t.wall for t in runs)
        verdict = ""
        if name != BASELINE:
            met = best >= TARGET_RATE and best / base >= TARGET_RATIO
            ok &= met
            verdict = "  met" if met else "  MISSED"
        print(
            f"{name:28} {best:10,.0f} {statistics.median(rates):10,.0f} {gc_share:5.0%}"
            f" {best / base:9.2f}x{verdict}"
        )
    print(
        f"\ntargets (>= {TARGET_RATE:,} frame-hops/s and >= {TARGET_RATIO}x the baseline):"
        f" {'met' if ok else 'NOT met'}"
    )
    return ok


def profile(n: int, top: int = 15) -> None:
    """cProfile the sends and run of the traced burst case; print the top by tottime."""
    run_netsim(max(n // 10, 100), trace=True, paced=False)  # warm-up
    w, counter = prepare(trace=True)
    prof = cProfile.Profile()
    timing = timed(lambda: prof.runcall(send_burst, w, n))
    verify(w, counter, n)
    print(
        f"traced burst, {n} frames under cProfile: {timing.wall:.2f}s wall,"
        f" {timing.gc:.2f}s of it in the cyclic GC (charged to whichever function allocated)"
    )
    pstats.Stats(prof, stream=sys.stdout).sort_stats(pstats.SortKey.TIME).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Frame-hops per second through 10 bridges.")
    ap.add_argument("-n", "--frames", type=int, default=20_000, help="frames per run")
    ap.add_argument("-r", "--repeat", type=int, default=3, help="timed runs per case")
    ap.add_argument("--profile", action="store_true", help="cProfile the traced burst case")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args(argv)
    if args.profile:
        profile(args.frames)
        return 0
    met = report(args.frames, measure(args.frames, args.repeat))
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
