"""``ip neigh show`` / ``ip -br neigh show`` text, rendered from the records
``ip -j [-s|-br] neigh show`` prints.

Mirrors ``print_neigh()`` and ``print_neigh_brief()`` in iproute2 6.1
``ip/ipneigh.c``.  Note the C spacing kept here: every field ends in a blank,
but the ``-s`` counters start with one and ``probes`` follows ``updated``
directly (``lladdr 02:00:00:00:00:02  ref 1 used 0/0/0probes 4 REACHABLE``).
"""

from __future__ import annotations

from collections.abc import Iterable

from netsim.iproute.render_fields import Record, fmt_num

__all__ = ["ip_neigh_show", "ip_neigh_show_brief"]

# NTF_* flags ``ip -j`` prints as ``"name": null``, in print order
_NEIGH_FLAGS = ("router", "proxy", "managed", "extern_learn", "offload")


def _head(rec: Record) -> str:
    if rec.get("deleted"):
        return "Deleted "
    if "miss" in rec:
        return "miss "
    return ""


def _stats(rec: Record) -> str:
    """``print_cacheinfo()`` and ``probes``: JSON holds seconds already."""
    out: list[str] = []
    if "refcnt" in rec:
        out.append(f" ref {fmt_num(rec['refcnt'])}")
    if "used" in rec:
        out.append(f" used {fmt_num(rec['used'])}")
    if "confirmed" in rec:
        out.append(f"/{fmt_num(rec['confirmed'])}")
    if "updated" in rec:
        out.append(f"/{fmt_num(rec['updated'])}")
    if "probes" in rec:
        out.append(f"probes {fmt_num(rec['probes'])} ")
    return "".join(out)


def _one_neigh(rec: Record, stats: bool) -> str:
    out = [_head(rec)]
    add = out.append
    if "dst" in rec:
        add(f"{rec['dst']} ")
    if "dev" in rec:
        add(f"dev {rec['dev']} ")
    if "lladdr" in rec:
        add(f"lladdr {rec['lladdr']} ")
    out.extend(f"{flag} " for flag in _NEIGH_FLAGS if flag in rec)
    if stats:
        add(_stats(rec))
    out.extend(f"{state} " for state in rec.get("state", ()))
    if "protocol" in rec:
        add(f"proto {rec['protocol']} ")
    add("\n")
    return "".join(out)


def ip_neigh_show(records: Iterable[Record], *, stats: bool = False) -> str:
    """What ``ip neigh show`` (``stats``: ``ip -s neigh show``) prints for the
    entries ``ip -j [-s] neigh show`` describes as ``records``, e.g.
    ``10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 REACHABLE \\n``.

    ``dev`` is left out of the records (and so of the text) by
    ``ip neigh show dev X``; a proxy entry has no state.
    """
    return "".join(_one_neigh(rec, stats) for rec in records)


def ip_neigh_show_brief(records: Iterable[Record]) -> str:
    """What ``ip -br neigh show`` prints: ``%-39s %-16s LLADDR``, no trailing
    blank; ``records`` may come from ``ip -j neigh show`` too."""
    out: list[str] = []
    for rec in records:
        line = [_head(rec)]
        if "dst" in rec:
            line.append(f"{rec['dst']!s:<39} ")
        if "dev" in rec:
            line.append(f"{rec['dev']!s:<16} ")
        if "lladdr" in rec:
            line.append(str(rec["lladdr"]))
        line.append("\n")
        out.append("".join(line))
    return "".join(out)
