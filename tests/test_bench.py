"""The benchmarks still run and check their own results (tiny sizes; nothing timed
is asserted here — the figures live in bench/README.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "bench"


@pytest.mark.parametrize(
    "argv",
    [
        ["l2.py", "-n", "50", "-r", "1"],
        ["l3.py", "-n", "20", "-r", "1", "--pods", "4"],
        ["vxlan.py", "-n", "20", "-r", "1"],
        ["backends.py", "--pods", "3", "-r", "1"],
        ["cni_add.py", "--pods", "3", "-r", "1"],
        ["cluster.py", "--nodes", "2", "--pods", "2", "-r", "1"],
        ["cluster.py", "--scale", "1,2", "--pods", "3"],
    ],
    ids=["l2", "l3", "vxlan", "backends", "cni_add", "cluster", "cluster-scale"],
)
def test_bench_runs_and_verifies(argv: list[str]) -> None:
    """Each bench verifies every run (frames delivered, pings answered) and exits 1
    or raises SystemExit with a message when the model stops doing what it measures."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / argv[0]), *argv[1:]],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    words = ("rates in", "pings/s", "per-pod ADD", "pings, best of", "build only")
    assert any(w in proc.stdout for w in words), proc.stdout
    if argv[0] in ("backends.py", "cni_add.py") or argv[1] == "--nodes":
        # the kernel side ran too, or said why it could not
        assert "\nkernel " in proc.stdout or "kernel backend unavailable" in proc.stdout
