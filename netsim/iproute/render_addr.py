"""``ip addr show`` / ``ip -br addr show`` text, rendered from the records
``ip -j [-d|-br] addr show`` prints.

A record is a link as ``ip -j link show`` prints it (without ``linkmode``,
which only ``ip link`` shows) plus an ``addr_info`` list; each entry mirrors
``print_addrinfo()`` in iproute2 6.1 ``ip/ipaddress.c``.  The link part is the
same as ``ip link show`` prints and is rendered by
:func:`netsim.iproute.render_link.ip_link_show`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from netsim.iproute.render_fields import Record, fmt_hex, fmt_num, format_name
from netsim.iproute.render_link import ip_link_show

__all__ = ["ip_addr_show", "ip_addr_show_brief"]

# what ``ip -j`` prints for an INFINITY_LIFE_TIME lifetime
FOREVER = 0xFFFFFFFF

# ifa_flag_data[] in print order; ``dynamic`` is printed in the slot of
# ``permanent`` when IFA_F_PERMANENT is *not* set, ``temporary`` stands for
# IFA_F_SECONDARY on an IPv6 address.
_IFA_FLAGS = (
    "secondary",
    "temporary",
    "nodad",
    "optimistic",
    "dadfailed",
    "home",
    "deprecated",
    "tentative",
    "dynamic",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "stable-privacy",
)

# what ip_link_show() prints for a record without ``link_type`` -- the line
# ``ip -4/-6 addr`` does not print at all (see _link_part)
_NO_LINK_LINE = "\n    link/none "


def _addr_local(addr: Record) -> str:
    """``local[ peer address]/prefixlen [metric N ]``: what both the full and
    the brief form print."""
    out = ""
    if "local" in addr:
        out = str(addr["local"])
        if "address" in addr:
            out += f" peer {addr['address']}"
        out += f"/{fmt_num(addr['prefixlen'])} "
        if "metric" in addr:
            out += f"metric {fmt_num(addr['metric'])} "
    return out


def _lifetime(value: Any) -> str:
    number = int(value)
    return "forever" if number == FOREVER else f"{number}sec"


def _ifa_flags(value: Any) -> str:
    """Unknown flag bits: ``%02x``, which JSON carries as that string."""
    return value if isinstance(value, str) else f"{int(value):02x}"


def _one_addr(addr: Record) -> str:
    out: list[str] = []
    add = out.append
    if addr.get("deleted"):
        add("Deleted ")
    if "family" in addr:
        add(f"    {addr['family']} ")
    elif "family_index" in addr:
        add(f"    family {fmt_num(addr['family_index'])} ")
    add(_addr_local(addr))
    if "broadcast" in addr:
        add(f"brd {addr['broadcast']} ")
    if "anycast" in addr:
        add(f"any {addr['anycast']} ")
    if "scope" in addr:
        add(f"scope {addr['scope']} ")
    out.extend(f"{flag} " for flag in _IFA_FLAGS if addr.get(flag))
    if "ifa_flags" in addr:
        add(f"flags {_ifa_flags(addr['ifa_flags'])} ")
    if "label" in addr:
        add(str(addr["label"]))
    if "valid_life_time" in addr:
        add(f"\n       valid_lft {_lifetime(addr['valid_life_time'])}")
        add(f" preferred_lft {_lifetime(addr.get('preferred_life_time', FOREVER))}")
    add("\n")
    return "".join(out)


def _link_part(rec: Record, details: bool, netns_names: Mapping[int, str]) -> str:
    """The link's own lines, as ``print_linkinfo()`` prints them.

    ``ip -4/-6 addr show`` (a family filter, no ``-d``) skips the whole
    ``link/TYPE ADDR brd BRD`` block, so its records have no ``link_type``.
    """
    text = ip_link_show([rec], details=details, netns_names=netns_names)
    if "link_type" not in rec:
        head, sep, tail = text.partition(_NO_LINK_LINE)
        if sep and "\n" not in head:
            text = head + tail
    return text


def ip_addr_show(
    records: Iterable[Record],
    *,
    details: bool = False,
    netns_names: Mapping[int, str] | None = None,
) -> str:
    """What ``ip addr show`` (``details``: ``ip -d addr show``) prints for the
    links and addresses that ``ip -j [-d] addr show`` describes as ``records``.

    ``netns_names`` is as for :func:`ip_link_show`.  An address line ends in
    its ``label`` (IPv4) or, with no label (IPv6), in a blank.
    """
    names = netns_names or {}
    out: list[str] = []
    for rec in records:
        out.append(_link_part(rec, details, names))
        out.extend(_one_addr(addr) for addr in rec.get("addr_info", ()))
    return "".join(out)


def ip_addr_show_brief(records: Iterable[Record]) -> str:
    """What ``ip -br addr show`` prints; ``records`` may come from
    ``ip -j addr show`` or from ``ip -j -br addr show``.

    ``print_linkinfo_brief()`` without its AF_PACKET parts, then every
    address as ``local[ peer address]/prefixlen [metric N ]``.
    """
    out: list[str] = []
    for rec in records:
        if rec.get("deleted"):
            out.append("Deleted ")
        out.append(f"{format_name(rec):<16} ")
        if "operstate" in rec:
            out.append(f"{rec['operstate']!s:<14} ")
        elif "operstate_index" in rec:
            out.append(f"state {fmt_hex(rec['operstate_index'])}")
        out.extend(_addr_local(addr) for addr in rec.get("addr_info", ()))
        out.append("\n")
    return "".join(out)
