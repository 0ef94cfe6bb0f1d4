"""``netsim run``, ``netsim trace`` and ``netsim show``: scenarios from the
command line.

Exit status: ``run`` 0 when every expectation held, 1 when one failed, 2 on
invalid input (each problem printed as ``FILE:LINE: FIELD: MESSAGE``) or a
backend that cannot run here; ``trace`` 0 when the reply came back, else 1;
``show`` 0.  ``--backend kernel`` builds the cluster on the real kernel in a
throwaway sandbox (a journey there comes from packet captures).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the scenario machinery is imported when a command runs
    from netsim.scenario import Scenario
    from netsim.scenario.report import Report
    from netsim.scenario.session import BaseSession

__all__ = ["DEMO_SCENARIO", "add_parsers", "dispatch", "run_demo_scenario"]

DEMO_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "k8s" / "flannel-vxlan.yaml"
#: Builds with at least this many nodes and pods get a progress bar (on a terminal).
_PROGRESS_FROM = 10


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="the scenario file (YAML, version 1)")
    p.add_argument(
        "--backend",
        choices=("sim", "kernel"),
        default="sim",
        help="sim: the model (default); kernel: the real kernel, real CNI binaries and "
        "real tools in a throwaway unprivileged sandbox",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="world seed (default: the scenario's seed, else 1)"
    )


def add_parsers(sub: Any) -> None:
    """The three subcommands, on ``netsim``'s subparsers."""
    run = sub.add_parser("run", help="run a scenario and check its expectations")
    _common(run)
    run.add_argument("--json", action="store_true", help="print the report as JSON")
    run.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print what each step printed (ping, commands, journeys)",
    )
    trace = sub.add_parser("trace", help="follow one ping hop by hop through a scenario's cluster")
    _common(trace)
    trace.add_argument("--from", dest="src", required=True, metavar="POD", help="the pinging pod")
    trace.add_argument(
        "--to", dest="dst", required=True, metavar="POD", help="the pod (or an IPv4 address) pinged"
    )
    trace.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="N",
        help="run the scenario's first N steps (default: all)",
    )
    trace.add_argument("--json", action="store_true", help="print the journey as JSON")
    show_p = sub.add_parser("show", help="a scenario's node or pod tables, as iproute2 prints them")
    _common(show_p)
    show_p.add_argument("--node", action="append", default=[], help="a node (repeatable)")
    show_p.add_argument("--pod", action="append", default=[], help="a pod (repeatable)")
    show_p.add_argument(
        "--step",
        type=int,
        default=None,
        metavar="N",
        help="run the scenario's first N steps (default: all)",
    )


def _err(command: str, message: str) -> int:
    print(f"netsim {command}: {message}", file=sys.stderr)
    return 2


def _load(args: argparse.Namespace) -> Scenario | int:
    from netsim.scenario import ScenarioError, load

    try:
        sc = load(args.scenario)
    except ScenarioError as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 2
    step = getattr(args, "step", None)
    if step is not None and not 0 <= step <= len(sc.steps):
        return _err(args.command, f"--step {step}: the scenario has {len(sc.steps)} steps")
    return sc


def _progress_run(
    sc: Scenario, args: argparse.Namespace, until: int | None, out: TextIO
) -> tuple[Report, BaseSession]:
    """The run, with a progress bar for a big build on a terminal."""
    from netsim.scenario.runner import Progress, run_scenario

    big = len(sc.cluster.nodes) + len(sc.pods) >= _PROGRESS_FROM
    if not (big and out.isatty()):
        return run_scenario(sc, seed=args.seed, until=until, backend=args.backend)
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        task = bar.add_task("building the cluster", total=len(sc.cluster.nodes) + len(sc.pods))

        def tick(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, description=f"building: {what}")

        progress: Progress = tick
        return run_scenario(
            sc, seed=args.seed, until=until, progress=progress, backend=args.backend
        )


def _start(
    sc: Scenario, args: argparse.Namespace, until: int | None, out: TextIO
) -> tuple[Report, BaseSession] | int:
    """The run, or exit status 2 where the backend cannot run here."""
    from netsim.backends.linux.sandbox import SandboxError, SandboxUnavailable
    from netsim.scenario.kernel import KernelUnavailable

    try:
        return _progress_run(sc, args, until, out)
    except (KernelUnavailable, SandboxUnavailable, SandboxError) as e:
        return _err(args.command, f"--backend kernel: {e}")


def run_cmd(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    sc = _load(args)
    if isinstance(sc, int):
        return sc
    ran = _start(sc, args, None, out)
    if isinstance(ran, int):
        return ran
    report, session = ran
    session.close()
    return _print_report(report, args, out)


def _print_report(report: Report, args: argparse.Namespace, out: TextIO) -> int:
    from netsim.scenario.render import render_details, render_report

    if args.json:
        out.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        if getattr(args, "verbose", False):
            render_details(report, out)
        render_report(report, out, terminal=out.isatty())
    return 0 if report.ok else 1


def _failed_steps(report: Report, command: str) -> None:
    from netsim.scenario.report import FAILED

    for s in report.all:
        if s.status == FAILED:
            print(
                f"netsim {command}: note: step {s.number} (line {s.line}) failed: {s.title}",
                file=sys.stderr,
            )


def _up_to_step(args: argparse.Namespace, out: TextIO) -> BaseSession | int:
    """The scenario run up to ``--step`` (its failed steps noted on stderr), or
    the exit status when it cannot run."""
    sc = _load(args)
    if isinstance(sc, int):
        return sc
    ran = _start(sc, args, args.step, out)
    if isinstance(ran, int):
        return ran
    report, session = ran
    _failed_steps(report, args.command)
    return session


def trace_cmd(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from netsim.scenario.journey import follow
    from netsim.scenario.runner import STEP_ERRORS

    out = out or sys.stdout
    ran = _up_to_step(args, out)
    if isinstance(ran, int):
        return ran
    session = ran
    try:
        src = session.pod(args.src)
        journey = follow(session, src.name, args.dst, namespace=src.namespace)
    except STEP_ERRORS as e:
        return _err("trace", str(e))
    finally:
        session.close()
    if args.json:
        out.write(json.dumps(journey.to_json(), indent=2) + "\n")
    else:
        out.write("".join(line + "\n" for line in journey.lines()))
    return 0 if journey.received else 1


def show_cmd(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from netsim.scenario.check import pod_key
    from netsim.scenario.runner import STEP_ERRORS
    from netsim.scenario.show import show

    out = out or sys.stdout
    ran = _up_to_step(args, out)
    if isinstance(ran, int):
        return ran
    session = ran
    nodes: list[str] = args.node
    pods: list[str] = args.pod
    if not nodes and not pods:
        nodes = list(session.cluster.nodes)
    try:
        texts = [show(session, node=n) for n in nodes]
        texts += [show(session, pod=pod_key(p)) for p in pods]
    except STEP_ERRORS as e:
        return _err("show", str(e))
    finally:
        session.close()
    out.write("\n".join(texts))
    return 0


def dispatch(args: argparse.Namespace) -> int | None:
    """Run ``args.command`` if it is one of ours."""
    handlers = {"run": run_cmd, "trace": trace_cmd, "show": show_cmd}
    handler = handlers.get(args.command)
    return handler(args) if handler else None


def run_demo_scenario(out: TextIO, *, seed: int | None = None) -> int:
    """``netsim demo``: the flannel-vxlan scenario, with what each step printed."""
    if not DEMO_SCENARIO.exists():
        return _err("demo", f"{DEMO_SCENARIO} not found (the demo runs from a netsim checkout)")
    rel = os.path.relpath(DEMO_SCENARIO)
    path = rel if not rel.startswith("..") else str(DEMO_SCENARIO)
    args = argparse.Namespace(
        command="run", scenario=path, backend="sim", seed=seed, json=False, verbose=True
    )
    return run_cmd(args, out)
