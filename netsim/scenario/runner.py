"""Running a scenario: the cluster built on a seeded World (nodes in order,
then the pods), then the steps in order, each checked against its
expectations; the result is a :class:`~netsim.scenario.report.Report`.

A step whose action fails (the kubelet's, flanneld's, libcni's, the model's
words) fails unless it expects that error; the next steps still run.  A
build that fails skips every step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.runtime import LibcniError
from netsim.errors import NetsimError
from netsim.k8s.cluster import ClusterError
from netsim.k8s.flannel.config import FlannelConfigError
from netsim.k8s.flannel.daemon import FlannelError
from netsim.k8s.kubelet import PodError
from netsim.k8s.nodeipam import NodeIpamError
from netsim.scenario.check import pod_key
from netsim.scenario.expect import evaluate
from netsim.scenario.journey import Journey, follow
from netsim.scenario.model import Scenario, Step
from netsim.scenario.report import FAILED, SKIPPED, Report, StepReport
from netsim.scenario.session import BaseSession, Session

__all__ = ["BACKENDS", "DEFAULT_SEED", "STEP_ERRORS", "Progress", "run_scenario", "title"]

#: What ``backend=`` takes.
BACKENDS: Final = ("sim", "kernel")


DEFAULT_SEED: Final = 1
#: What a step's action may fail with (anything else is a bug in netsim).
STEP_ERRORS: Final = (
    NetsimError,
    PodError,
    ClusterError,
    FlannelError,
    FlannelConfigError,
    LibcniError,
    CniError,
    NodeIpamError,
    ValueError,
)
#: ``progress(done, total, what)`` while the cluster is built.
Progress = Callable[[int, int, str], None]


def _node(arg: Any) -> str:
    return str(arg["node"] if isinstance(arg, dict) else arg)


def title(step: Step) -> str:
    """What a step does, in a few words."""
    act, a = step.action, step.args
    if act is None:
        return "check"
    if act == "addPod":
        return f"addPod {a['name']} on {a['node']}"
    if act == "deletePod":
        return f"deletePod {a if isinstance(a, str) else a['name']}"
    if act in ("ping", "trace"):
        count = a.get("count", 1)
        return f"{act} {a['from']} -> {a['to']}" + (f" x{count}" if count != 1 else "")
    if act == "run":
        where = f"node {a['node']}" if "node" in a else f"pod {a['pod']}"
        return f"run on {where}: {a['command']}"
    if act == "wait":
        return f"wait {a:g}s"
    return f"{act} {_node(a)}"


class _Runner:
    def __init__(self, sc: Scenario, seed: int, backend: str, possible_cpus: int):
        self.sc = sc
        self.session: BaseSession
        if backend == "kernel":
            from netsim.scenario.kernel import KernelSession

            self.session = KernelSession(sc.cluster, seed)
        else:
            self.session = Session(sc.cluster, seed, possible_cpus=possible_cpus)
        self.cluster = self.session.cluster

    def build(self, progress: Progress | None) -> StepReport:
        spec = self.sc.cluster
        rep = StepReport(
            0,
            self.sc.doc.line(("cluster",)),
            "build",
            f"{len(spec.nodes)} nodes, {len(self.sc.pods)} pods",
        )
        total = len(spec.nodes) + len(self.sc.pods)
        done = 0
        what = ""
        try:
            for name in spec.nodes:
                what = f"node {name}"
                self.cluster.add_node(name)
                done += 1
                if progress:
                    progress(done, total, what)
            for pod in self.sc.pods:
                what = f"pod {pod.key}"
                self.cluster.add_pod(
                    pod.name, node=pod.node, namespace=pod.namespace, ports=list(pod.ports)
                )
                done += 1
                if progress:
                    progress(done, total, what)
        except STEP_ERRORS as e:
            rep.error = f"{what}: {e}"
        rep.observed = self._state()
        rep.time = self.session.now
        rep.settle()
        return rep

    def _state(self) -> dict[str, Any]:
        api = self.cluster.api.nodes
        racks = self.cluster.underlay.rack_names
        nodes = {
            n.name: {"ip": n.ip, "podCIDR": api[n.name].pod_cidr if n.name in api else ""}
            | ({"rack": racks[n.name]} if racks.get(n.name) else {})
            for n in self.cluster.nodes.values()
        }
        pods = {
            f"{p.namespace}/{p.name}": {"node": p.node, "ip": p.ip} for p in self.cluster.pods()
        }
        return {"nodes": nodes, "pods": pods}

    def step(self, step: Step) -> StepReport:
        rep = StepReport(step.number, step.line, step.action or "check", step.name or title(step))
        journey: Journey | None = None
        try:
            rep.observed, journey = self._act(step)
        except STEP_ERRORS as e:
            rep.error = str(e)
        rep.checks = evaluate(self.session, step, rep.observed, rep.error, journey)
        rep.time = self.session.now
        rep.settle(error_expected="error" in step.expect)
        return rep

    def _act(self, step: Step) -> tuple[dict[str, Any], Journey | None]:
        c, a, act = self.cluster, step.args, step.action
        if act == "addPod":
            pod = c.add_pod(
                a["name"],
                node=a["node"],
                namespace=a.get("namespace", "default"),
                ports=list(a.get("ports", [])),
            )
            return {
                "pod": f"{pod.namespace}/{pod.name}",
                "node": pod.node,
                "ip": pod.ip,
                "netns": pod.netns,
            }, None
        if act == "deletePod":
            ref = a if isinstance(a, str) else f"{a.get('namespace', 'default')}/{a['name']}"
            pod = self.session.pod(ref)
            c.delete_pod(pod.name, namespace=pod.namespace)
            return {"pod": pod_key(ref), "ip": pod.ip}, None
        if act == "addNode":
            node = c.add_node(_node(a), rack=a.get("rack") if isinstance(a, dict) else None)
            rack = c.underlay.rack_names.get(node.name)
            return {
                "node": node.name,
                "ip": node.ip,
                "podCIDR": c.api.nodes[node.name].pod_cidr,
            } | ({"rack": rack} if rack else {}), None
        if act == "removeNode":
            name = _node(a)
            gone = [f"{p.namespace}/{p.name}" for p in c.node(name).pods.values()]
            c.remove_node(name)
            return {"node": name, "pods": gone}, None
        if act in ("failLink", "restoreLink"):
            c.set_link(_node(a), up=act == "restoreLink")
            return {"node": _node(a), "link": "up" if act == "restoreLink" else "down"}, None
        if act == "restartFlanneld":
            c.restart_flanneld(_node(a))
            return {"node": _node(a)}, None
        if act == "wait":
            self.session.sleep(float(a))
            return {"seconds": a}, None
        if act == "ping":
            return self._ping(a), None
        if act == "trace":
            src = self.session.pod(a["from"])
            j = follow(self.session, src.name, a["to"], namespace=src.namespace)
            return {"journey": j.to_json(), "lines": j.lines()}, j
        if act == "run":
            return self._run(a), None
        return {}, None  # a step that only checks

    def _ping(self, a: dict[str, Any]) -> dict[str, Any]:
        src = self.session.pod(a["from"])
        ip, _ = self.session.target(a["to"])
        res = self.session.ping(
            src, ip, count=a.get("count", 1), timeout=float(a.get("timeout", 1.0))
        )
        tx, rx = res.transmitted, res.received
        loss = 100 * (tx - rx) // tx if tx else 0
        return {
            "from": a["from"],
            "to": a["to"],
            "dst": ip,
            "transmitted": tx,
            "received": rx,
            "loss": loss,
            "status": res.exit_code,
            "output": res.output,
        }

    def _run(self, a: dict[str, Any]) -> dict[str, Any]:
        if "node" in a:
            res = self.session.shells.node(a["node"], a["command"])
            where = f"node {a['node']}"
        else:
            pod = self.session.pod(a["pod"])
            res = self.session.shells.pod(pod.name, a["command"], namespace=pod.namespace)
            where = f"pod {a['pod']}"
        return {
            "where": where,
            "command": a["command"],
            "stdout": res.stdout,
            "stderr": res.stderr,
            "status": res.status,
        }


def run_scenario(
    sc: Scenario,
    *,
    seed: int | None = None,
    until: int | None = None,
    progress: Progress | None = None,
    backend: str = "sim",
    possible_cpus: int = 1,
) -> tuple[Report, BaseSession]:
    """Build ``sc`` on ``backend`` and run its steps (the first ``until`` of them,
    if given).  The seed is ``seed``, else the scenario's, else 1; on the
    simulator the machines have ``possible_cpus`` CPUs.  The caller
    closes the session (on the kernel, that ends the sandbox).

    :raises ~netsim.scenario.kernel.KernelUnavailable: ``backend="kernel"`` where
        the machine cannot make the sandbox.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend {backend!r}: not one of {', '.join(BACKENDS)}")
    used = seed if seed is not None else (sc.seed if sc.seed is not None else DEFAULT_SEED)
    runner = _Runner(sc, used, backend, possible_cpus)
    build = runner.build(progress)
    report = Report(sc.name, sc.file, used, backend, build)
    steps = sc.steps if until is None else sc.steps[:until]
    for step in steps:
        if build.status == FAILED:
            rep = StepReport(
                step.number,
                step.line,
                step.action or "check",
                step.name or title(step),
                status=SKIPPED,
            )
            report.steps.append(rep)
            continue
        report.steps.append(runner.step(step))
    return report, runner.session
