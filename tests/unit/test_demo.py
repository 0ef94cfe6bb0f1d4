"""The default demo runs, is deterministic, and shows what the seed notes show."""

from __future__ import annotations

import io

from netsim.cli import main
from netsim.demo import run_demo


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
    assert "RECEIVED veth0; DELIVERED br0 (ARP)" in text  # veth0 belongs to br0
    assert "vethpod1\n" in text  # the iflink -> ifindex lookup found the host veth
    assert "FORWARDED br0 -> vethpod1" in text  # the reply is known unicast
    before, after = text.split("$ sleep 301")
    assert "02:00:00:00:00:01 dev vethpod1 master br0 \n" in before
    assert "02:00:00:00:00:01 dev vethpod1" not in after  # aged out


def test_cli_demo(capsys: object) -> None:
    assert main(["demo", "--seed", "3"]) == 0
