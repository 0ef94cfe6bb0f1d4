"""Send raw frames from, and capture them in, namespaces of a kernel sandbox.

Run inside the sandbox as ``python3 packet_io.py < plan.json``: the plan lists
``listen`` points (netns, device) and ``send`` steps (netns, device, hex);
the output is, per listen point, the hex of every frame it received, in
order.  Standard library only (it runs under the system python3).
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
_libc = ctypes.CDLL(None, use_errno=True)


def enter(netns: str) -> None:
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    finally:
        os.close(fd)


def main() -> None:
    plan = json.load(sys.stdin)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks: dict[str, socket.socket] = {}
    for ns, dev in plan["listen"] + [s[:2] for s in plan["send"]]:
        key = f"{ns}/{dev}"
        if key in socks:
            continue
        enter(ns)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((dev, 0))
        s.setblocking(False)
        socks[key] = s
        _libc.setns(home, CLONE_NEWNET)
    for ns, dev, hexframe in plan["send"]:
        socks[f"{ns}/{dev}"].send(bytes.fromhex(hexframe))
        time.sleep(plan.get("gap", 0.05))
    time.sleep(0.2)
    out: dict[str, list[str]] = {}
    for ns, dev in plan["listen"]:
        key = f"{ns}/{dev}"
        frames = out[key] = []
        while True:
            try:
                data, addr = socks[key].recvfrom(65535)
            except BlockingIOError:
                break
            if addr[2] != PACKET_OUTGOING:
                frames.append(data.hex())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
