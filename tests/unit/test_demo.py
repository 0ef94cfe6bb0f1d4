"""The demos run, are deterministic, and show what they are for: ``netsim demo``
runs scenarios/k8s/flannel-vxlan.yaml (what ``make demo`` runs) with what each
step printed; ``netsim demo --bridge`` is the seed notes' bridge walk-through."""

from __future__ import annotations

import io

import pytest

from netsim.cli import main
from netsim.demo import run_demo
from netsim.scenariocli import run_demo_scenario


def _demo(seed: int = 1) -> str:
    out = io.StringIO()
    run_demo(out, seed=seed)
    return out.getvalue()


def test_demo_is_byte_identical_for_a_seed() -> None:
    assert _demo(1) == _demo(1)
    assert _demo(1) != _demo(2)  # random MACs differ


def test_demo_shows_the_walkthrough() -> None:
    text = _demo()
    assert "state forwarding priority 32 cost 2" in text  # `bridge link`
    # the seed: with its address on a bridge port, the host stops answering ...
    assert "1 packets transmitted, 0 received, 100% packet loss" in text
    assert "1.2.3.102 dev veth0 INCOMPLETE" in text
    # ... and answers again once the address is on the bridge
    assert "1.2.3.0/24 dev br0 proto kernel scope link src 1.2.3.101" in text
    assert "vethpod1\n" in text  # the iflink -> ifindex lookup found the host veth
    assert "FORWARDED br0 -> vethpod1" in text  # the reply is known unicast
    before, after = text.split("$ sleep 310")
    assert "02:00:00:00:00:01 dev vethpod1 master br0 \n" in before
    assert "02:00:00:00:00:01 dev vethpod1" not in after  # aged out


def test_cli_bridge_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--bridge", "--seed", "3"]) == 0
    assert capsys.readouterr().out == _demo(3)


def test_the_default_demo_is_the_flannel_vxlan_scenario() -> None:
    out = io.StringIO()
    assert run_demo_scenario(out) == 0
    text = out.getvalue()
    one = text
    out = io.StringIO()
    run_demo_scenario(out)
    assert out.getvalue() == one  # the same seed, the same bytes
    # what each step printed: the pod's routes, a ping across nodes, the journey
    assert "$ ip route\ndefault via 10.244.0.1 dev eth0 \n" in text
    assert "64 bytes from 10.244.2.3: icmp_seq=1 ttl=62" in text
    assert "    ENCAPSULATED flannel.1 (vni 1 172.18.0.2:" in text
    assert "    DECAPSULATED flannel.1 (vni 1 from 172.18.0.2:" in text
    # then the summary table, every expectation held
    assert "scenarios/k8s/flannel-vxlan.yaml (seed 1, backend sim)\n" in text
    assert text.endswith("ok: 8 steps (0 failed), 27 expectations: 27 held, 0 failed\n")


def test_cli_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--seed", "3"]) == 0
    assert "(seed 3, backend sim)" in capsys.readouterr().out
