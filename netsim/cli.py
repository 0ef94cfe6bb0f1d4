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
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(sys.stdout, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
