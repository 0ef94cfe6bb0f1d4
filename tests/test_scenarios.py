"""The scripts under ``scenarios/`` run under ``netsim sh`` with every command
supported (their output is compared with the real kernel's in
tests/differential/test_scenarios.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netsim import World

ROOT = Path(__file__).parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.sh"))


def test_there_are_scenarios() -> None:
    assert {p.name for p in SCENARIOS} >= {
        "veth-netns.sh",
        "bridge-walkthrough.sh",
        "host-veth-finder.sh",
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_scenario_runs(path: Path) -> None:
    res = World(seed=1).sh(path.read_text())
    # netsim's own refusals (the kernel's "Operation not supported" is fine)
    assert not re.search(r"(?m)^netsim: .*not (supported|modelled)", res.stdout + res.stderr)
    assert res.stderr == ""


def test_bridge_walkthrough_shows_the_seed_notes_point() -> None:
    """An address left on an enslaved veth stops answering; on br0 it answers."""
    out = World(seed=1).sh((ROOT / "scenarios/seed/bridge-walkthrough.sh").read_text()).stdout
    sections = out.split("== ")[1:]
    assert [" 0% packet loss" in s for s in sections] == [True, False, True]
    assert "exit status 1" in sections[1]


def test_host_veth_finder_finds_the_containers_peer() -> None:
    out = World(seed=1).sh((ROOT / "scenarios/seed/host-veth-finder.sh").read_text()).stdout
    assert out.splitlines()[-5:] == ["----statrt-------", "veth9", "", "2", "----------end--------"]
