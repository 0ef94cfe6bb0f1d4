"""The ``netsim`` command."""

from __future__ import annotations

import argparse
import sys

from netsim.demo import run_demo

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``netsim`` console script."""
    parser = argparse.ArgumentParser(
        prog="netsim",
        description="A userspace, discrete-event model of Linux pod networking.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the default demo (the seed's bridge walk-through)")
    demo.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    sh = sub.add_parser("sh", help="run a shell script of network commands in a simulated world")
    sh.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    sh.add_argument("-c", dest="commands", metavar="COMMANDS", help="run COMMANDS")
    sh.add_argument("script", nargs="?", help="script file (default: read stdin)")
    sh.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        help="positional parameters $1... (with -c, the first is $0, as in bash)",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(sys.stdout, seed=args.seed)
    elif args.command == "sh":
        return _sh(args)
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
    world = World(seed=args.seed)
    result = Shell(world).run(script, params, name=name)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.status


if __name__ == "__main__":
    sys.exit(main())
