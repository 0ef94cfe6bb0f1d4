"""The numbers behind the tc operations' words (:class:`~netsim.host.ops.QdiscAdd`
and friends), shared by both backends: handles and parents as ``tc`` writes
them (``get_tc_classid``), protocol names (``ll_proto_a2n``), mirred
directions and action verdicts (``TC_ACT_*``)."""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "ACTION_CONTROLS",
    "EACTIONS",
    "PROTOCOLS",
    "TC_H_INGRESS",
    "TC_H_ROOT",
    "mirred_spec",
    "tc_handle",
    "tc_parent",
]

TC_H_ROOT: Final = 0xFFFFFFFF
TC_H_INGRESS: Final = 0xFFFFFFF1
#: ``ETH_P_*`` by the names ``tc ... protocol NAME`` takes.
PROTOCOLS: Final = {"all": 0x0003, "ip": 0x0800, "arp": 0x0806, "ipv6": 0x86DD,
                    "802.1q": 0x8100}  # fmt: skip
#: ``TCA_EGRESS_REDIR``... by direction and action.
EACTIONS: Final = {"egress redirect": 1, "egress mirror": 2, "ingress redirect": 3,
                   "ingress mirror": 4}  # fmt: skip
#: ``TC_ACT_*`` by tc's words for them.
ACTION_CONTROLS: Final = {"continue": -1, "pass": 0, "ok": 0, "reclassify": 1, "drop": 2,
                          "shot": 2, "pipe": 3, "stolen": 4, "trap": 8}  # fmt: skip


def tc_handle(text: str | None) -> int:
    """``X:Y`` / ``X:`` / ``:Y`` (hex) as a 32-bit handle; None and ``none`` are 0."""
    if text is None or text == "none":
        return 0
    if text == "root":
        return TC_H_ROOT
    m = re.fullmatch(r"([0-9a-fA-F]{0,4}):([0-9a-fA-F]{0,4})", text)
    if m is None:
        raise ValueError(f"invalid tc handle {text!r}")
    return int(m.group(1) or "0", 16) << 16 | int(m.group(2) or "0", 16)


def tc_parent(text: str) -> int:
    """``root``, ``ingress`` or a handle."""
    if text == "ingress":
        return TC_H_INGRESS
    return tc_handle(text)


def mirred_spec(action: dict[str, Any], ifindex: int) -> dict[str, Any]:
    """A mirred action of a :class:`~netsim.host.ops.FilterAdd` as ``tc_mirred``'s
    fields (``eaction``, ``ifindex``, ``action``, ``index``)."""
    if action.get("kind", "mirred") != "mirred":
        raise ValueError(f"tc action {action.get('kind')!r} is not modelled")
    eaction = EACTIONS[str(action.get("eaction", "egress redirect"))]
    default = "stolen" if eaction in (1, 3) else "pipe"
    return {"kind": "mirred", "eaction": eaction, "ifindex": ifindex,
            "action": ACTION_CONTROLS[str(action.get("control", default))],
            "index": int(action.get("index", 0))}  # fmt: skip
