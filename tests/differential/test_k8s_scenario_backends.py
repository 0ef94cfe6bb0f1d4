"""Each cluster scenario of ``scenarios/k8s`` run on both backends, compared.

``run_scenario(backend="kernel")`` builds the cluster with the same kubelet
and flanneld (through the Host seam) on the real kernel with the real bridge,
host-local, portmap and loopback binaries, pings with the real ``ping`` and
runs the ``run`` steps with bash and the real tools.  Every step must end as
it does on the simulator, what the steps observed must agree (the addresses,
the command output, the ping counts; a trace step's journey, from packet
captures on the kernel: hops, steps and decisions), and at the end every
node's and pod's tables must be the simulator's, after normalisation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from netsim.backends.sim.host import SimHost
from netsim.observe import diff, snapshot
from netsim.scenario import load
from netsim.scenario.kernel import KernelSession
from netsim.scenario.report import StepReport
from netsim.scenario.runner import run_scenario
from netsim.scenario.session import Session
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios" / "k8s").glob("*.yaml"))
#: The sandbox's own differences, as in test_k8s_cluster: which port's MAC a
#: bridge takes is chance when the kernel draws the veths' MACs (so is the
#: neighbour entry for an underlay gateway, that bridge, and whether a port's
#: removal changed that MAC, which flushes the bridge's neighbours); a neighbour's state
#: depends on how long the run took (the simulator's pings take simulated
#: seconds, the kernel's milliseconds: DELAY against REACHABLE).
TIMING = re.compile(
    r"^\S+ (links\[(cni0|br\d+)\]\.address: |fdb\[mac\d+ dev \S+ master (cni0|br\d+)\]: only in "
    r"|links\[[^\]]+\]\.linkinfo\.info_(slave_)?data\.(bridge_id|root_id|designated_root"
    r"|designated_bridge): |neigh\[[^\]]+\]\.state: |neigh\[172\.18\.\d+\.1 dev eth0\]\.lladdr: "
    r"|neigh\[[\d.]+ dev br\d+\]: only in )"
)
#: What a ping or a command prints that differs run to run, masked.
VOLATILE = [
    (re.compile(r"time[=<][\d.]+ ms"), "time=T ms"),
    (re.compile(r"rtt min/avg/max/mdev = \S+ ms"), "rtt T"),
    (re.compile(r", time \d+ms"), ", time Tms"),
    (re.compile(r"([0-9a-f]{2}:){5}[0-9a-f]{2}"), "MAC"),
    (re.compile(r"veth[0-9a-f]{8}"), "vethX"),
    (re.compile(r"(\d+\.\d+\.\d+\.\d+):\d+( >|\))"), r"\1:PORT\2"),  # VXLAN source ports
    (re.compile(r"id \d+, seq"), "id ID, seq"),
]


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        for pat, repl in VOLATILE:
            value = pat.sub(repl, value)
        return value
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items() if k not in ("journey", "lines")}
    return value


def _journey(obs: dict[str, Any]) -> Any:
    """A journey's legs: how each ended, and per hop its steps and their decisions
    (but neighbour states and ARP exchanges, which depend on how long the run
    took -- a slow machine lets an entry go stale --, and why a drop happened,
    which the kernel does not say), masked."""
    legs = []
    for role in ("request", "reply"):
        leg = obs["journey"][role]
        if leg is None:
            legs.append(None)
            continue
        hops = [
            (
                h["name"],
                [
                    (_mask(s["step"]) if not s["step"].startswith("DROPPED") else "DROPPED",
                     [_mask(d) for d in s["decisions"] if not d.startswith(("neigh:", "arp:"))])
                    for s in h["steps"]
                ],
            )
            for h in leg["hops"]
        ]  # fmt: skip
        legs.append((leg["disposition"], _mask(leg["summary"]), hops))
    return legs


def _outcome(step: StepReport) -> tuple[int, str, str, list[tuple[str, bool]], Any]:
    return (
        step.number,
        step.status,
        step.error,
        [(c.what, c.held) for c in step.checks],
        _mask(step.observed),
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_a_scenario_runs_on_the_kernel_as_on_the_model(path: Path) -> None:
    sandbox.require_kernel()
    pytest.importorskip("pyroute2")
    sc = load(path)
    sim, s_session = run_scenario(sc, possible_cpus=sandbox.possible_cpus())
    assert isinstance(s_session, Session)
    s_session.sleep(2)  # the link watcher settles, as it does on the kernel meanwhile
    s_snap = snapshot(SimHost(s_session.world)).normalised()
    real, k_session = run_scenario(sc, backend="kernel")
    try:
        assert isinstance(k_session, KernelSession)
        k_session.sleep(2)
        k_snap = snapshot(k_session.host).normalised()
    finally:
        k_session.close()
    assert real.backend == "kernel" and real.ok, [
        s.to_json() for s in real.all if s.status == "failed"
    ]
    for s_step, k_step in zip(sim.all, real.all, strict=True):
        assert _outcome(k_step) == _outcome(s_step), f"step {s_step.number}: {s_step.title}"
        if s_step.action == "trace":
            assert _journey(k_step.observed) == _journey(s_step.observed), s_step.title
    found = [d.format(("sim", "kernel")) for d in diff(s_snap, k_snap)]
    unknown = [f for f in found if not TIMING.search(f)]
    assert not unknown, "sim and kernel differ:\n" + "\n".join(unknown)
