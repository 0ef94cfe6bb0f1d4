"""``netsim diff SCRIPT``: run a shell script on the model and on the real
kernel, and print where the worlds it leaves differ."""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Any, TextIO

__all__ = ["add_parser", "run"]

_DESCRIPTION = """\
Run SCRIPT (a shell script of ip/bridge/sysctl/ping commands, like those in
scenarios/) twice: under `netsim sh` in World(seed=SEED), and with bash and the
real tools on the real kernel inside a throwaway unprivileged sandbox (user +
network + mount namespaces; IPv6 disabled in every namespace, as netsim has
none yet).  Then snapshot every namespace on both sides (links, addresses,
routes, rules, neighbours, FDB, bridge ports, the sysctls that matter),
normalise what is random (MACs, ifindexes...) and print each difference as
NAMESPACE TABLE[KEY].FIELD: sim=... kernel=...; also whether what the script
printed differs (random MACs and times masked).

Only shell scripts for now; YAML scenarios come later.
Exit status: 0 equal, 1 different, 2 bad input or no sandbox on this machine."""


def add_parser(sub: Any) -> None:
    """Register ``diff`` on the ``netsim`` command's subparsers."""
    p = sub.add_parser(
        "diff",
        help="run a shell script on netsim and on the real kernel; print the differences",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("script", help="shell script file (YAML scenarios are not accepted yet)")
    p.add_argument("--seed", type=int, default=1, help="world seed of the sim side (default 1)")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Do ``netsim diff``; the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    from netsim.backends.linux.sandbox import SandboxUnavailable, unavailable_reason
    from netsim.observe import ObserveError, diff
    from netsim.observe.run import observe_kernel, observe_sim, pinned_macs

    path: str = args.script
    if path.endswith((".yaml", ".yml")):
        print(f"netsim diff: {path}: YAML scenarios are not supported yet", file=err)
        return 2
    try:
        with open(path, encoding="utf-8") as f:
            script = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"netsim diff: {path}: {getattr(e, 'strerror', None) or e}", file=err)
        return 2
    if (reason := unavailable_reason()) is not None:
        print(f"netsim diff: no kernel sandbox on this machine: {reason}", file=err)
        return 2
    try:
        sim = observe_sim(script, seed=args.seed)
        kernel = observe_kernel(script)
    except (ObserveError, SandboxUnavailable) as e:
        print(f"netsim diff: {e}", file=err)
        return 2
    pinned = pinned_macs(script)
    differences = diff(sim.snapshot.normalised(pinned=pinned),
                       kernel.snapshot.normalised(pinned=pinned))  # fmt: skip
    for d in differences:
        print(d.format(("sim", "kernel")), file=out)
    same_stdout = _stdout(sim.stdout, sim.stderr, kernel.stdout, pinned, out)
    if not differences and same_stdout:
        print("no differences", file=out)
        return 0
    return 1


def _stdout(sim: str, sim_err: str, kernel: str, pinned: frozenset[str], out: TextIO) -> bool:
    """Print how what the script printed differs (a unified diff); whether it is the same."""
    from netsim.observe.run import mask_stdout

    a, b = mask_stdout(sim, pinned).splitlines(), mask_stdout(kernel, pinned).splitlines()
    if sim_err:  # the kernel side folds stderr into stdout; netsim cannot interleave it
        a += mask_stdout(sim_err, pinned).splitlines()
    if a == b:
        return True
    print("stdout differs (random MACs and times masked):", file=out)
    for line in difflib.unified_diff(a, b, "sim", "kernel", lineterm="", n=1):
        print("  " + line, file=out)
    return False
