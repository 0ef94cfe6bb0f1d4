"""Capture reference frames from the real Linux kernel for ``test_packet_kernel.py``.

Stdlib only and independent of ``netsim`` (the fixture must not be produced by
the code it checks).  ``capture_frames.sh`` builds the sandbox and runs the
sub-commands below inside it:

``txcsum IFACE off``
    Turn TX checksum offload off (``SIOCETHTOOL``/``ETHTOOL_STXCSUM``, what
    ``ethtool -K IFACE tx off`` does), so that the kernel computes every L4
    checksum in software instead of leaving a CHECKSUM_PARTIAL pseudo-header
    sum in the frame.
``capture IFACE RAW_JSON READY STOP``
    Capture every frame on IFACE with an ``AF_PACKET``/``ETH_P_ALL`` socket
    until the file STOP appears.  A VLAN tag that the stack keeps out of band
    (``skb->vlan_tci``, veth offloads it) would be put back in front of the
    ethertype from ``PACKET_AUXDATA``, as libpcap does; the kernels this ran
    on had no 8021q, act_vlan nor bridge VLAN filtering, so no tagged frame
    is in the fixture.
``send``
    From namespace ``a``: a UDP datagram to a closed port, an ICMP echo over a
    ping socket, a TCP SYN to a closed port, an ICMP echo through each VXLAN
    tunnel (VNI 100 with the default UDP checksum, VNI 200 with ``noudpcsum``).
``assemble RAW_JSON OUT_JSON KERNEL``
    Keep the first frame of each kind and write the fixture.
"""

from __future__ import annotations

import array
import datetime
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

SIOCETHTOOL = 0x8946
ETHTOOL_GTXCSUM = 0x16
ETHTOOL_STXCSUM = 0x17
ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
PACKET_OUTGOING = 4
TP_STATUS_CSUMNOTREADY = 0x08
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
AUXDATA = struct.Struct("=IIIHHHH")


def ethtool_value(ifname: str, cmd: int, data: int = 0) -> int:
    ev = array.array("I", [cmd, data])
    ifr = struct.pack("16sP", ifname.encode(), ev.buffer_info()[0]).ljust(40, b"\0")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    return ev[1]


def txcsum(ifname: str, state: str) -> None:
    ethtool_value(ifname, ETHTOOL_STXCSUM, 1 if state == "on" else 0)
    now = ethtool_value(ifname, ETHTOOL_GTXCSUM)
    if now != (1 if state == "on" else 0):
        sys.exit(f"tx checksum offload on {ifname} is still {now}")


def capture(ifname: str, raw_path: str, ready: str, stop: str) -> None:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((ifname, ETH_P_ALL))
    open(ready, "w").close()
    frames = []
    while not os.path.exists(stop):
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        data, anc, _flags, addr = s.recvmsg(65535, socket.CMSG_SPACE(AUXDATA.size))
        status, vlan_tci, tpid = 0, 0, 0x8100
        for level, typ, cdata in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA:
                status, _len, _snap, _mac, _net, vlan_tci, tpid_raw = AUXDATA.unpack(
                    cdata[: AUXDATA.size]
                )
                if status & TP_STATUS_VLAN_TPID_VALID:
                    tpid = tpid_raw
        if status & TP_STATUS_CSUMNOTREADY:
            sys.exit(f"frame with a partial checksum captured: {data.hex()}")
        vlan = bool(status & TP_STATUS_VLAN_VALID)
        if vlan:
            data = data[:12] + struct.pack("!HH", tpid, vlan_tci) + data[12:]
        frames.append(
            {
                "hex": data.hex(),
                "outgoing": addr[2] == PACKET_OUTGOING,
                "vlan_from_auxdata": vlan,
            }
        )
    with open(raw_path, "w") as f:
        json.dump(frames, f, indent=1)


PING_PAYLOAD = bytes(range(0x10, 0x10 + 56))


def ping(src: str, dst: str, ident: int, seq: int) -> None:
    """An echo request through a ping socket: the kernel fills in id and checksum."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP) as s:
        s.bind((src, ident))
        s.settimeout(2)
        s.sendto(struct.pack("!BBHHH", 8, 0, 0, 0, seq) + PING_PAYLOAD, (dst, 0))
        reply = s.recv(2048)
        if reply[0] != 0:
            sys.exit(f"no echo reply from {dst}: {reply.hex()}")


def udp(src: str, sport: int, dst: str, dport: int, payload: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((src, sport))
        s.sendto(payload, (dst, dport))
    time.sleep(0.3)


def send() -> None:
    udp("10.0.0.1", 40000, "10.0.0.2", 5001, b"hello from netsim\n")
    ping("10.0.0.1", "10.0.0.2", 0x1234, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("10.0.0.1", 40001))
        s.settimeout(2)
        err = s.connect_ex(("10.0.0.2", 5002))
        if err == 0:
            sys.exit("TCP connect to a closed port succeeded")
    time.sleep(0.2)
    ping("192.168.100.1", "192.168.100.2", 0x4321, 7)
    ping("192.168.200.1", "192.168.200.2", 0x5678, 9)
    time.sleep(0.2)


DESCRIPTIONS = {
    "arp_request": "a asks who-has 10.0.0.2 (broadcast), triggered by the UDP send",
    "arp_reply": "b answers 10.0.0.2 is-at 02:00:00:00:00:02",
    "udp_datagram": "a 10.0.0.1:40000 -> 10.0.0.2:5001 'hello from netsim\\n'",
    "icmp_port_unreachable": "b answers the UDP datagram to closed port 5001: type 3 code 3",
    "icmp_echo_request": "ping socket on a, id 0x1234 seq 1, 56 bytes 0x10..0x47",
    "icmp_echo_reply": "b's echo reply to icmp_echo_request",
    "tcp_syn": "a 10.0.0.1:40001 connect() to closed 10.0.0.2:5002",
    "tcp_rst_ack": "b's RST|ACK answer (tcp_v4_send_reset) to tcp_syn",
    "vxlan_arp_request": "vx0 on a (VNI 100, dstport 4789) carries who-has 192.168.100.2",
    "vxlan_arp_reply": "vx0 on b carries 192.168.100.2 is-at 02:00:00:00:01:02",
    "vxlan_icmp_echo_request": "ping socket on a through vx0, id 0x4321 seq 7",
    "vxlan_icmp_echo_reply": "b's echo reply through vx0",
    "vxlan_noudpcsum_icmp_echo_request": "ping socket on a through vx1 (VNI 200, noudpcsum), "
    "id 0x5678 seq 9",
}


def u16(b: bytes, off: int) -> int:
    return int(struct.unpack_from("!H", b, off)[0])


def label(frame: bytes) -> str:
    prefix, ethertype, off = "", u16(frame, 12), 14
    if ethertype == 0x8100:
        prefix, ethertype, off = "vlan_", u16(frame, 16), 18
    if ethertype == 0x0806:
        return prefix + {1: "arp_request", 2: "arp_reply"}.get(u16(frame, off + 6), "arp")
    if ethertype != 0x0800:
        return prefix + "other"
    ihl, proto = (frame[off] & 0x0F) * 4, frame[off + 9]
    l4 = off + ihl
    if proto == 1:
        kinds = {(8, 0): "echo_request", (0, 0): "echo_reply", (3, 3): "port_unreachable"}
        return prefix + "icmp_" + kinds.get((frame[l4], frame[l4 + 1]), "other")
    if proto == 6:
        flags = frame[l4 + 13]
        return prefix + {0x02: "tcp_syn", 0x14: "tcp_rst_ack"}.get(flags, "tcp_other")
    if proto == 17:
        if u16(frame, l4 + 2) == 4789:
            vni = int.from_bytes(frame[l4 + 12 : l4 + 15], "big")
            tunnel = "vxlan_" if vni == 100 else f"vxlan_{'noudpcsum_' if vni == 200 else vni}"
            return prefix + tunnel + label(frame[l4 + 16 :])
        return prefix + "udp_datagram"
    return prefix + "ip_other"


def assemble(raw_path: str, out_path: str, kernel: str) -> None:
    with open(raw_path) as f:
        raw = json.load(f)
    frames: dict[str, dict[str, object]] = {}
    for r in raw:
        name = label(bytes.fromhex(r["hex"]))
        if name in DESCRIPTIONS and name not in frames:
            frames[name] = {
                "description": DESCRIPTIONS[name],
                "direction": "sent by b" if r["outgoing"] else "received by b",
                "hex": r["hex"],
            }
            if r["vlan_from_auxdata"]:
                frames[name]["vlan_tag_from_auxdata"] = True
    missing = sorted(set(DESCRIPTIONS) - set(frames))
    if missing:
        sys.exit(
            f"not captured: {missing}; labels seen: {[label(bytes.fromhex(r['hex'])) for r in raw]}"
        )
    doc = {
        "generated_by": "tests/data/capture_frames.sh",
        "kernel": kernel,
        "captured_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "capture_point": "AF_PACKET ETH_P_ALL socket on eth0 in netns b, tx csum offload off",
        "topology": {
            "a": "eth0 02:00:00:00:00:01 10.0.0.1/24; "
            "vx0 02:00:00:00:01:01 192.168.100.1/24 (vxlan id 100 dstport 4789 remote 10.0.0.2); "
            "vx1 02:00:00:00:02:01 192.168.200.1/24 (vxlan id 200 dstport 4789 remote 10.0.0.2 "
            "noudpcsum)",
            "b": "eth0 02:00:00:00:00:02 10.0.0.2/24; "
            "vx0 02:00:00:00:01:02 192.168.100.2/24 (vxlan id 100 dstport 4789 remote 10.0.0.1); "
            "vx1 02:00:00:00:02:02 192.168.200.2/24 (vxlan id 200 dstport 4789 remote 10.0.0.1 "
            "noudpcsum)",
        },
        "frames": {name: frames[name] for name in DESCRIPTIONS},
    }
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main(argv: list[str]) -> None:
    cmd, args = argv[0], argv[1:]
    if cmd == "txcsum":
        txcsum(*args)
    elif cmd == "capture":
        capture(*args)
    elif cmd == "send":
        send()
    elif cmd == "assemble":
        assemble(*args)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
