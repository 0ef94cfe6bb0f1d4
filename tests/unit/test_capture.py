"""pcap capture: what tcpdump and tshark read back from a capture of the model."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from netsim import World
from netsim.packet import ETH_P_IP, Ethernet


def vxlan_pair() -> World:
    w = World(seed=5)
    for n in ("n1", "n2"):
        w.netns_add(n)
    w.add_veth("u1", "u2", netns="n1", peer_netns="n2", address="02:00:00:00:50:01",
               peer_address="02:00:00:00:50:02")  # fmt: skip
    for i, (n, u) in enumerate((("n1", "u1"), ("n2", "u2")), 1):
        w.addr_add(f"192.168.50.{i}/24", dev=u, netns=n)
        w.link_set(u, netns=n, up=True)
        w.add_vxlan("vxlan100", 100, netns=n, local=f"192.168.50.{i}", dstport=4789, dev=u,
                    address=f"02:00:00:00:0a:0{i}")  # fmt: skip
        w.addr_add(f"10.40.0.{i}/24", dev="vxlan100", netns=n)
        w.link_set("vxlan100", netns=n, up=True)
        w.vxlan_fdb_add("00:00:00:00:00:00", dev="vxlan100", netns=n,
                        dst=f"192.168.50.{3 - i}", op="append")  # fmt: skip
    return w


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
            pytest.fail(f"{tool} is not installed (CI installs it)")
        pytest.skip(f"{tool} is not installed")
    return path


def test_capture_records_both_directions_and_stops() -> None:
    w = vxlan_pair()
    with w.capture("u1", netns="n1") as cap:
        w.ping("10.40.0.2", netns="n1", count=1)
    n = len(cap)
    assert {d for _, dev, d, _ in cap.records} == {"in", "out"}
    assert all(dev == "u1" for _, dev, _, _ in cap.records)
    w.ping("10.40.0.2", netns="n1", count=1)
    assert len(cap) == n and not cap.running  # stopped: nothing more, the device unwrapped
    assert "xmit" not in vars(w.dev("u1", netns="n1"))


def test_same_seed_same_pcap_bytes() -> None:
    blobs = []
    for _ in range(2):
        w = vxlan_pair()
        with w.capture(netns="n2") as cap:
            w.ping("10.40.0.2", netns="n1", count=2)
        blobs.append(cap.pcap())
    assert blobs[0] == blobs[1] and len(blobs[0]) > 24


def test_tshark_decodes_a_vxlan_encapsulated_ping(tmp_path: Path) -> None:
    tshark = need("tshark")
    w = vxlan_pair()
    with w.capture("u2", netns="n2") as cap:
        w.ping("10.40.0.2", netns="n1", count=1)
    pcap = cap.write(tmp_path / "vxlan.pcap")
    fields = ["ip.src", "udp.dstport", "vxlan.vni", "eth.src", "icmp.type", "frame.len"]
    out = subprocess.run(
        [tshark, "-r", str(pcap), "-Y", "icmp", "-T", "fields", "-E", "separator=|",
         *[a for f in fields for a in ("-e", f)]],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    rows = [line.split("|") for line in out.splitlines()]
    # echo request arrives on u2, the reply leaves it: outer and inner fields both decoded
    assert [r[0] for r in rows] == ["192.168.50.1,10.40.0.1", "192.168.50.2,10.40.0.2"]
    assert all(r[1] == "4789" and r[2] == "100" for r in rows)
    assert rows[0][3] == "02:00:00:00:50:01,02:00:00:00:0a:01"
    assert [r[4] for r in rows] == ["8", "0"]
    assert all(r[5] == "148" for r in rows)  # 98 inner bytes + 50 of encapsulation


def test_tcpdump_reads_the_file(tmp_path: Path) -> None:
    tcpdump = need("tcpdump")
    w = vxlan_pair()
    with w.capture("vxlan100", netns="n1") as cap:
        w.ping("10.40.0.2", netns="n1", count=1)
    pcap = cap.write(tmp_path / "inner.pcap")
    out = subprocess.run([tcpdump, "-nn", "-r", str(pcap)], capture_output=True, text=True,
                         check=True, timeout=60).stdout  # fmt: skip
    assert "10.40.0.1 > 10.40.0.2: ICMP echo request" in out
    assert "10.40.0.2 > 10.40.0.1: ICMP echo reply" in out
    frames = [f for _, _, _, f in cap.records if isinstance(f, Ethernet)]
    assert any(f.ethertype == ETH_P_IP for f in frames)
