"""The ``netsim`` command."""

from __future__ import annotations

import argparse
import sys

from netsim.demo import run_demo
from netsim.diffcli import add_parser as diff_add_parser
from netsim.diffcli import run as diff_run
from netsim.scenariocli import add_parsers as scenario_add_parsers
from netsim.scenariocli import dispatch as scenario_dispatch
from netsim.scenariocli import run_demo_scenario

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``netsim`` console script."""
    parser = argparse.ArgumentParser(
        prog="netsim",
        description="A userspace, discrete-event model of Linux pod networking.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="run the demo: scenarios/k8s/flannel-vxlan.yaml, with what each step printed"
    )
    demo.add_argument("--seed", type=int, default=None, help="world seed (default 1)")
    demo.add_argument(
        "--bridge", action="store_true", help="the seed notes' bridge walk-through instead"
    )
    sh = sub.add_parser("sh", help="run a shell script of network commands in a simulated world")
    sh.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    sh.add_argument(
        "--backend",
        choices=("sim", "kernel"),
        default="sim",
        help="sim: the model (default); kernel: bash with the real ip, bridge, sysctl and "
        "ping on the real kernel, inside a throwaway sandbox (unshare)",
    )
    sh.add_argument("-c", dest="commands", metavar="COMMANDS", help="run COMMANDS")
    sh.add_argument("script", nargs="?", help="script file (default: read stdin)")
    sh.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help="positional parameters $1... (with -c, the first is $0, as in bash)",
    )
    diff_add_parser(sub)
    scenario_add_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.bridge:
            run_demo(sys.stdout, seed=1 if args.seed is None else args.seed)
            return 0
        return run_demo_scenario(sys.stdout, seed=args.seed)
    status = scenario_dispatch(args)
    if status is not None:
        return status
    if args.command == "sh":
        return _sh(args)
    elif args.command == "diff":
        return diff_run(args)
    return 0


def _sh(args: argparse.Namespace) -> int:
    from netsim.shell import Shell
    from netsim.world import World

    params: list[str] = list(args.args)
    name = "netsim"
    if args.commands is not None:
        script = args.commands
        if args.script is not None:
            name = args.script
    elif args.script is not None:
        name = args.script
        try:
            with open(args.script, encoding="utf-8") as f:
                script = f.read()
        except OSError as e:
            print(f"netsim: {args.script}: {e.strerror}", file=sys.stderr)
            return 127
    else:
        script = sys.stdin.read()
    if args.backend == "kernel":
        from_stdin = args.commands is None and args.script is None
        return _sh_kernel(script, name, params, from_stdin=from_stdin)
    world = World(seed=args.seed)
    return Shell(world).run(script, params, name=name, echo=(sys.stdout, sys.stderr)).status


def _sh_kernel(script: str, name: str, params: list[str], *, from_stdin: bool) -> int:
    """``bash -c SCRIPT NAME ARGS...`` in a fresh sandbox; its output as it comes
    (its stdin is ours, unless the script was read from it)."""
    import subprocess

    from netsim.backends.linux.sandbox import SandboxUnavailable, script_argv, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"netsim: {SandboxUnavailable.__name__}: {reason}", file=sys.stderr)
        return 125
    sys.stdout.flush()
    argv = script_argv(script, name=name, args=tuple(params))
    stdin = subprocess.DEVNULL if from_stdin else None
    return subprocess.run(argv, stdin=stdin, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
