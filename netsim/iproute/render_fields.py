"""Formatting helpers shared by the iproute2 text renderers.

The printf conversions iproute2 6.1 uses, table-driven field printing, and
the link name and flags as ``print_name_and_link()`` / ``print_link_flags()``
print them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Record = Mapping[str, Any]

__all__ = [
    "Field",
    "Record",
    "fmt_hex",
    "fmt_num",
    "fmt_on_off",
    "fmt_str",
    "fmt_timer",
    "format_flags",
    "format_name",
    "link_head",
    "render_fields",
]


# --------------------------------------------------------------------------
# scalar formatting, the printf conversions iproute2 uses


def fmt_num(value: Any) -> str:
    """``%u`` / ``%d``."""
    return str(int(value))


def fmt_str(value: Any) -> str:
    """``%s``."""
    return str(value)


def fmt_on_off(value: Any) -> str:
    """``print_on_off()``: JSON carries a bool."""
    return "on" if value else "off"


def fmt_hex(value: Any) -> str:
    """``print_0xhex()`` with ``%#llx``: JSON carries the formatted string.

    An int is accepted too and formatted like C does (``%#x`` of 0 is ``0``).
    """
    if isinstance(value, str):
        return value
    number = int(value)
    return f"{number:#x}" if number else "0"


class TimerValue(float):
    """A bridge timer's remaining seconds, which ``-j`` prints as iproute2 does
    (``print_float``'s ``%.2f``: ``14.99``, ``0.00``)."""

    __slots__ = ()

    def json(self) -> str:
        return f"{self:.2f}"


def fmt_timer(value: Any) -> str:
    """``"%4i.%.2i"`` of a bridge timer; JSON carries it as ``12.34``."""
    centis = round(float(value) * 100)
    return f"{centis // 100:4d}.{centis % 100:02d}"


# (json key, printf-style format with one ``{}``, converter)
Field = tuple[str, str, Callable[[Any], str]]


def render_fields(data: Record, table: Iterable[Field]) -> str:
    return "".join(fmt.format(conv(data[key])) for key, fmt, conv in table if key in data)


# --------------------------------------------------------------------------
# pieces shared with ``bridge link show``


def format_flags(flags: Iterable[str]) -> str:
    """``print_link_flags()``: ``<A,B,C> `` -- ``M-DOWN`` always comes last
    and is always preceded by a comma (it is printed with ``",%s"``)."""
    names = list(flags)
    mdown = "M-DOWN" in names
    body = ",".join(name for name in names if name != "M-DOWN")
    if mdown:
        body += ",M-DOWN"
    return f"<{body}> "


def format_name(rec: Record) -> str:
    """``print_name_and_link()``: ``name``, ``name@link`` or ``name@ifN``.

    ``link`` (a name) is what ``ip -j`` prints for a same-netns lower device;
    ``link: null`` stands for IFLA_LINK 0 (``@NONE``); ``link_index`` is what
    it prints when the lower device lives in another netns (``link_netnsid``).
    """
    name = str(rec.get("ifname", ""))
    if "link" in rec:
        link = rec["link"]
        return f"{name}@{'NONE' if link is None else link}"
    if "link_index" in rec:
        return f"{name}@if{fmt_num(rec['link_index'])}"
    return name


def link_head(rec: Record) -> str:
    """``[Deleted ]N: name[@link]: <FLAGS> [mtu M ]``: how both ``ip link`` and
    ``bridge link`` start a device's line."""
    out = "Deleted " if rec.get("deleted") else ""
    out += f"{fmt_num(rec['ifindex'])}: {format_name(rec)}: "
    out += format_flags(rec.get("flags", ()))
    if "mtu" in rec:
        out += f"mtu {fmt_num(rec['mtu'])} "
    return out
