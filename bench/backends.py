"""One small scenario on both backends: a bridge with 10 pods, then every pod pings
every other pod once (90 pings), as a shell script of ``ip`` and ``ping``.

The simulator runs it with ``netsim sh`` (``World.sh``); the kernel backend runs
the same script with bash and the real tools in a rootless sandbox
(``netsim.backends.linux.sandbox.run_script``).  Each side is timed in two
phases, building (namespaces, veths, bridge, addresses, then a settle of one
second of link-watch time: simulated on one side, slept on the other) and the
pings; the kernel's phases are timed inside the sandbox with ``date``, so the
cost of starting the sandbox is reported on its own.

Run ``.venv/bin/python bench/backends.py [--pods N] [-r RUNS]``.
"""

from __future__ import annotations

import argparse
import sys
import time

from netsim import World
from netsim.backends.linux.sandbox import run_script, unavailable_reason


def build_script(pods: int) -> str:
    lines = [
        "ip netns add host",
        "ip -n host link add br0 type bridge",
        "ip -n host link set br0 up",
    ]
    for i in range(pods):
        lines += [
            f"ip netns add pod{i}",
            f"ip -n pod{i} link add eth0 type veth peer name veth{i} netns host",
            f"ip -n host link set veth{i} master br0 up",
            f"ip -n pod{i} addr add 10.244.0.{i + 2}/24 dev eth0",
            f"ip -n pod{i} link set eth0 up",
        ]
    return "\n".join([*lines, "sleep 1"]) + "\n"


def ping_script(pods: int) -> str:
    return "".join(
        f"ip netns exec pod{i} ping -c1 -W1 10.244.0.{j + 2} >/dev/null || echo FAIL {i} {j}\n"
        for i in range(pods)
        for j in range(pods)
        if i != j
    )


def run_sim(pods: int) -> tuple[float, float]:
    w = World(seed=1)
    t0 = time.perf_counter()
    built = w.sh(build_script(pods))
    t1 = time.perf_counter()
    pinged = w.sh(ping_script(pods))
    t2 = time.perf_counter()
    if built.status or pinged.stdout or pinged.status:
        raise SystemExit(f"sim: {built.stderr}{pinged.stdout}{pinged.stderr}")
    return t1 - t0, t2 - t1


def run_kernel(pods: int) -> tuple[float, float, float]:
    """(build without the 1 s settle, pings, whole run including the sandbox)."""
    script = (
        'a=$(date +%s.%N)\n' + build_script(pods) + 'b=$(date +%s.%N)\n' + ping_script(pods)
        + 'c=$(date +%s.%N)\necho "T $a $b $c"\n'
    )  # fmt: skip
    t0 = time.perf_counter()
    r = run_script(script)
    whole = time.perf_counter() - t0
    if r.returncode or "FAIL" in r.stdout:
        raise SystemExit(f"kernel: {r.stdout}{r.stderr}")
    a, b, c = (float(x) for x in r.stdout.split()[-3:])
    return b - a - 1.0, c - b, whole


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pods", type=int, default=10)
    ap.add_argument("-r", type=int, default=3, help="runs per backend (best is reported)")
    args = ap.parse_args(argv)
    reason = unavailable_reason()
    sims = [run_sim(args.pods) for _ in range(args.r)]
    sim_build, sim_ping = min(s[0] for s in sims), min(s[1] for s in sims)
    pings = args.pods * (args.pods - 1)
    print(f"a bridge with {args.pods} pods, {pings} pings (all pairs), best of {args.r} runs\n")
    print(f"{'backend':8} {'build s':>8} {'pings s':>8} {'pings/s':>9} {'whole s':>8}")
    print(f"{'sim':8} {sim_build:8.3f} {sim_ping:8.3f} {pings / sim_ping:9,.0f} "
          f"{sim_build + sim_ping:8.3f}")  # fmt: skip
    if reason is not None:
        print(f"\nkernel backend unavailable: {reason}")
        return 0
    ks = [run_kernel(args.pods) for _ in range(args.r)]
    k_build, k_ping, k_whole = (min(k[i] for k in ks) for i in range(3))
    print(f"{'kernel':8} {k_build:8.3f} {k_ping:8.3f} {pings / k_ping:9,.0f} {k_whole:8.3f}")
    print(f"\nkernel / sim: build {k_build / sim_build:.1f}x, pings {k_ping / sim_ping:.1f}x "
          f"(the kernel's build excludes its 1 s settle; its whole run includes it)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
