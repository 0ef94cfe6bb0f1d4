"""Imports point down the layer picture in DESIGN.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

NETSIM = Path(__file__).parent.parent.parent / "netsim"

# package -> netsim modules it must never import
FORBIDDEN = {
    "kernel": ("netsim.world", "netsim.backends", "netsim.iproute", "netsim.cli", "netsim.demo"),
    "packet": ("netsim.kernel", "netsim.world", "netsim.engine", "netsim.backends"),
    "iproute": ("netsim.kernel", "netsim.world", "netsim.backends"),
    # the control plane acts on nodes through the Host seam only
    "k8s": ("netsim.kernel", "netsim.world", "netsim.backends", "netsim.scenario", "netsim.cli"),
    "cni": ("netsim.scenario", "netsim.k8s", "netsim.cli"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package: str) -> None:
    bad = []
    for path in sorted((NETSIM / package).rglob("*.py")):
        for name in _imports(path):
            if name.startswith(FORBIDDEN[package]):
                bad.append(f"{path.relative_to(NETSIM)} imports {name}")
    assert not bad, "\n".join(bad)


def test_only_the_engine_imports_simpy() -> None:
    users = [
        str(p.relative_to(NETSIM))
        for p in sorted(NETSIM.rglob("*.py"))
        if any(n == "simpy" or n.startswith("simpy.") for n in _imports(p))
    ]
    assert users == ["engine.py", "world.py"]
