"""Properties of the bridge that must hold for any traffic (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from netsim import Disposition, MacAddr, World
from netsim.kernel import Bridge
from netsim.packet import Ethernet
from tests.helpers import build_bridge_topology

N_HOSTS = 4
# Hosts may send with any of these source MACs (a host can front several MACs,
# and MACs can move), to any of these destinations.
SRC_MACS = [MacAddr(f"02:00:00:00:00:{i:02x}") for i in range(1, 9)]
DST_MACS = [*SRC_MACS, MacAddr("ff:ff:ff:ff:ff:ff"), MacAddr("02:00:00:00:00:99")]

sends = st.lists(
    st.tuples(
        st.integers(1, N_HOSTS),
        st.sampled_from(SRC_MACS),
        st.sampled_from(DST_MACS),
        st.floats(0, 20, allow_nan=False),  # seconds to wait before sending
    ),
    max_size=25,
)


def bridge_world(ageing: float = 300.0, seed: int = 0) -> tuple[World, Bridge]:
    w = World(seed)
    build_bridge_topology(w, N_HOSTS)
    w.bridge_set("br0", netns="br", ageing_time=ageing)
    br = w.dev("br0", netns="br")
    assert isinstance(br, Bridge)
    return w, br


def send(w: World, host: int, src: MacAddr, dst: MacAddr) -> int:
    flow = w.send(Ethernet(dst, src, 0x88B5, b"x"), dev="eth0", netns=f"h{host}")
    w.sleep(0.001)
    return flow


@settings(max_examples=150, deadline=None)
@given(sends, st.sampled_from(SRC_MACS))
def test_unicast_to_a_learned_mac_leaves_by_exactly_one_port(
    history: list[tuple[int, MacAddr, MacAddr, float]], src: MacAddr
) -> None:
    """From every host, a frame to each learned MAC reaches exactly the host behind
    that MAC's port, or, from that very port, nobody (it is dropped at ingress)."""
    w, br = bridge_world()
    for h, s, d, wait in history:
        w.sleep(wait)
        send(w, h, s, d)
    learned = [(e.mac, e.dst.dev.ifname) for e in br.fdb if not e.is_static and e.dst]
    for mac, port in learned:
        if mac == src:
            continue  # sending from a MAC moves it: not the question here
        for host in range(1, N_HOSTS + 1):
            if br.fdb.find(mac) is None or br.fdb.find(mac).dst.dev.ifname != port:  # type: ignore[union-attr]
                break  # our own probes may have aged it out meanwhile (they take time)
            traces = w.traces(send(w, host, src, mac))
            if port == f"vh{host}":
                assert [t.reason for t in traces] == [
                    f"destination is behind the ingress port {port}"
                ]
            else:
                assert [t.end for t in traces] == [(f"h{port[2:]}", "eth0")], traces


class FdbAgeing(RuleBasedStateMachine):
    """The FDB against a dict model: MAC -> (port, last refresh); entries vanish
    exactly ``ageing_time`` after their last refresh, never later."""

    AGEING = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.w, self.br = bridge_world(self.AGEING)
        self.model: dict[MacAddr, tuple[str, float]] = {}

    @rule(
        host=st.integers(1, N_HOSTS), src=st.sampled_from(SRC_MACS), dst=st.sampled_from(DST_MACS)
    )
    def send_frame(self, host: int, src: MacAddr, dst: MacAddr) -> None:
        now = self.w.now
        send(self.w, host, src, dst)
        self.model[src] = (f"vh{host}", now + 10e-6)  # learned when it reaches the bridge

    @rule(dt=st.floats(0.001, 7, allow_nan=False))
    def wait(self, dt: float) -> None:
        self.w.sleep(dt)

    @invariant()
    def matches_model(self) -> None:
        now = self.w.now
        expect = {
            mac: port
            for mac, (port, t) in self.model.items()
            if t + self.AGEING > now  # not yet expired
        }
        got = {e.mac: e.dst.dev.ifname for e in self.br.fdb if not e.is_static and e.dst}
        # An entry may outlive its expiry by at most the cleanup's 10 ms floor.
        late = {m for m in got if m not in expect and self.model[m][1] + self.AGEING + 0.01 < now}
        assert not late, f"entries outlived ageing_time: {late}"
        assert {m: p for m, p in got.items() if m in expect} == expect

    @invariant()
    def no_entry_older_than_ageing_time(self) -> None:
        now = self.w.now
        for e in self.br.fdb:
            if not e.is_static:
                assert now - e.updated <= self.AGEING + 0.01


TestFdbAgeing = FdbAgeing.TestCase
TestFdbAgeing.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


@settings(max_examples=40, deadline=None)
@given(sends, st.integers(0, 2**32))
def test_same_seed_same_operations_identical_traces(
    history: list[tuple[int, MacAddr, MacAddr, float]], seed: int
) -> None:
    def run() -> list[str]:
        w, _ = bridge_world(seed=seed)
        for h, s, d, wait in history:
            w.sleep(wait)
            send(w, h, s, d)
        macs = [str(dev.address) for ns in w.kernel for dev in ns]
        return macs + [f"{t}|{[(s.time, s.detail) for s in t.steps]}" for t in w.traces()]

    assert run() == run()


def test_every_copy_of_every_frame_ends_exactly_once() -> None:
    w, _ = bridge_world()
    flows = [send(w, 1 + i % N_HOSTS, SRC_MACS[i % 8], DST_MACS[i % 10]) for i in range(40)]
    for flow in flows:
        traces = w.traces(flow)
        assert traces and all(t.disposition in Disposition for t in traces)
