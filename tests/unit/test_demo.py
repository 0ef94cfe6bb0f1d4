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


def test_cli_demo(capsys: object) -> None:
    assert main(["demo", "--seed", "3"]) == 0
