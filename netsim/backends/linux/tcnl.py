"""Raw rtnetlink tc requests, byte for byte as vishvananda/netlink builds them
(``qdiscModify``/``qdiscPayload``, ``filterModify``, ``EncodeActions`` of
v1.1.1-0.20210330154013-f5de75959ad5, which the bandwidth plugin links): the
kernel backend sends them so the real kernel sees what the real plugin sends.

pyroute2's tc helpers compute rate tables and rewrite u32 keys on the way, so
the messages are packed here (``struct tcmsg``, ``tc_tbf_qopt``,
``tc_u32_sel``, ``tc_mirred``) and sent on a plain ``NETLINK_ROUTE`` socket
with extended acks; run as ``python -m netsim.backends.linux.tcnl`` (under
``ip netns exec NS``) it sends the hex request read on stdin and prints the
answer as JSON: ``{"errno": N, "extack": TEXT|null}``.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
from typing import Any, Final

__all__ = ["filter_request", "qdisc_request", "send"]

RTM_NEWQDISC: Final = 36
RTM_DELQDISC: Final = 37
RTM_NEWTFILTER: Final = 44
RTM_DELTFILTER: Final = 45
NLM_F_REQUEST: Final = 0x1
NLM_F_ACK: Final = 0x4
NLMSG_ERROR: Final = 2
NLM_F_CAPPED: Final = 0x100
NLM_F_ACK_TLVS: Final = 0x200
SOL_NETLINK: Final = 270
NETLINK_EXT_ACK: Final = 11
NLMSGERR_ATTR_MSG: Final = 1
TCA_KIND, TCA_OPTIONS = 1, 2
TCA_TBF_PARMS, TCA_TBF_RATE64, TCA_TBF_PRATE64, TCA_TBF_BURST, TCA_TBF_PBURST = 1, 4, 5, 6, 7
TCA_U32_CLASSID, TCA_U32_SEL, TCA_U32_ACT = 1, 5, 7
TCA_ACT_KIND, TCA_ACT_OPTIONS = 1, 2
TCA_MIRRED_PARMS: Final = 2


def _attr(kind: int, payload: bytes) -> bytes:
    """One ``rtattr``, padded to 4 bytes."""
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def _tcmsg(ifindex: int, handle: int, parent: int, info: int) -> bytes:
    return struct.pack("=BBHiIII", 0, 0, 0, ifindex, handle, parent, info)


def _nlmsg(kind: int, flags: int, body: bytes, seq: int = 1) -> bytes:
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


def _ratespec(rate: int, *, linklayer: int = 0, overhead: int = 0, mpu: int = 0) -> bytes:
    """``struct tc_ratespec``: cell_log, linklayer, overhead, cell_align, mpu, rate."""
    return struct.pack("=BBHhHI", 0, linklayer, overhead, 0, mpu, rate & 0xFFFFFFFF)


def _tbf(o: dict[str, Any]) -> bytes:
    """``TCA_TBF_PARMS`` (+ ``RATE64``/``BURST``...) as netlink's ``Tbf`` (or tc) sends."""
    qopt = (_ratespec(int(o.get("rate", 0)), linklayer=int(o.get("linklayer", 0)),
                      overhead=int(o.get("overhead", 0)), mpu=int(o.get("mpu", 0)))
            + _ratespec(int(o.get("peakrate", 0)), linklayer=int(o.get("peak_linklayer", 0)),
                        mpu=int(o.get("peak_mpu", 0)))
            + struct.pack("=III", int(o.get("limit", 0)), int(o.get("buffer", 0)),
                          int(o.get("mtu", 0))))  # fmt: skip
    out = _attr(TCA_TBF_PARMS, qopt)
    if o.get("rate64"):
        out += _attr(TCA_TBF_RATE64, struct.pack("=Q", int(o["rate64"])))
    if o.get("prate64"):
        out += _attr(TCA_TBF_PRATE64, struct.pack("=Q", int(o["prate64"])))
    if o.get("burst") is not None:
        out += _attr(TCA_TBF_BURST, struct.pack("=I", int(o["burst"])))
    if o.get("pburst") is not None:
        out += _attr(TCA_TBF_PBURST, struct.pack("=I", int(o["pburst"])))
    return out


def qdisc_request(*, delete: bool, flags: int, ifindex: int, handle: int, parent: int,
                  kind: str | None, options: dict[str, Any] | None) -> bytes:  # fmt: skip
    """``RTM_NEWQDISC``/``RTM_DELQDISC``."""
    body = _tcmsg(ifindex, handle, parent, 0)
    if kind is not None:
        body += _attr(TCA_KIND, kind.encode() + b"\0")
    if not delete and options is not None:
        body += _attr(TCA_OPTIONS, _tbf(options) if kind == "tbf" else b"")
    kind_t = RTM_DELQDISC if delete else RTM_NEWQDISC
    return _nlmsg(kind_t, NLM_F_REQUEST | NLM_F_ACK | flags, body)


def _mirred(a: dict[str, Any]) -> bytes:
    """``tc_mirred``: ``tc_gen`` (index, capab, action, refcnt, bindcnt), eaction, ifindex."""
    parms = struct.pack("=IIiiiiI", int(a.get("index", 0)), 0, int(a["action"]), 0, 0,
                        int(a["eaction"]), int(a["ifindex"]))  # fmt: skip
    return (_attr(TCA_ACT_KIND, b"mirred\0")
            + _attr(TCA_ACT_OPTIONS, _attr(TCA_MIRRED_PARMS, parms)))  # fmt: skip


def filter_request(*, delete: bool, flags: int, ifindex: int, parent: int, prio: int,
                   protocol: int, kind: str | None, options: dict[str, Any] | None) -> bytes:  # fmt: skip  # noqa: E501
    """``RTM_NEWTFILTER``/``RTM_DELTFILTER`` of a u32 filter."""
    info = (prio << 16) | socket.htons(protocol)
    body = _tcmsg(ifindex, 0, parent, info)
    if kind is not None:
        body += _attr(TCA_KIND, kind.encode() + b"\0")
    if not delete and options is not None:
        keys = options.get("keys", [])
        sel = struct.pack("=BBBxHHhhI", int(options.get("flags", 1)), 0, len(keys), 0, 0, 0, 0, 0)
        for k in keys:
            sel += struct.pack("=IIii", socket.htonl(int(k["mask"])), socket.htonl(int(k["val"])),
                               int(k.get("off", 0)), int(k.get("offmask", 0)))  # fmt: skip
        opts = _attr(TCA_U32_SEL, sel)
        if options.get("classid"):
            opts += _attr(TCA_U32_CLASSID, struct.pack("=I", int(options["classid"])))
        acts = b"".join(_attr(i + 1, _mirred(a)) for i, a in enumerate(options.get("actions", [])))
        opts += _attr(TCA_U32_ACT, acts)
        body += _attr(TCA_OPTIONS, opts)
    kind_t = RTM_DELTFILTER if delete else RTM_NEWTFILTER
    return _nlmsg(kind_t, NLM_F_REQUEST | NLM_F_ACK | flags, body)


def _extack(msg: bytes, flags: int) -> str | None:
    """``NLMSGERR_ATTR_MSG`` of an ack (after the error and the echoed request)."""
    if not flags & NLM_F_ACK_TLVS:
        return None
    orig_len = struct.unpack_from("=I", msg, 20)[0]
    at = 20 + (16 if flags & NLM_F_CAPPED else orig_len)
    while at + 4 <= len(msg):
        alen, atype = struct.unpack_from("=HH", msg, at)
        if alen < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            return msg[at + 4 : at + alen].rstrip(b"\0").decode()
        at += (alen + 3) & ~3
    return None


def send(request: bytes) -> tuple[int, str | None]:
    """Send ``request`` on a ``NETLINK_ROUTE`` socket of the current namespace:
    (errno, extack) of its ack, errno 0 for success."""
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as s:
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        s.bind((0, 0))
        s.sendto(request, (0, 0))
        while True:
            data = s.recv(65536)
            at = 0
            while at + 16 <= len(data):
                length, kind, flags, _seq, _pid = struct.unpack_from("=IHHII", data, at)
                if kind == NLMSG_ERROR:
                    code = -struct.unpack_from("=i", data, at + 16)[0]
                    return code, _extack(data[at : at + length], flags) if code else None
                at += (length + 3) & ~3


def main() -> int:
    """Send the hex request on stdin; print ``{"errno", "extack"}``."""
    code, extack = send(bytes.fromhex(sys.stdin.read().strip()))
    print(json.dumps({"errno": code, "extack": extack}))
    return 0


if __name__ == "__main__":  # pragma: no cover - run by the agent inside the sandbox
    os._exit(main())
