"""Observe a world with a shell snippet: the same bash runs under ``netsim sh``
and under real bash, after the user's script, and prints each dump between
markers; :func:`parse_output` turns what it printed into a
:class:`~netsim.observe.snapshot.Snapshot`.

::

    @@netsim-observe begin
    @@netsim-observe init_net link
    [{"ifindex":1,"ifname":"lo",...}]
    ...
    @@netsim-observe end
"""

from __future__ import annotations

import json
from typing import Any, Final

from netsim.errors import NetsimError
from netsim.observe.snapshot import (
    IPTABLES_TABLES,
    STATE_DIRS,
    SYSCTL_PATTERN,
    NsSnapshot,
    Record,
    Snapshot,
    file_record,
    iptables_records,
    wanted_sysctl,
)

__all__ = ["MARKER", "ObserveError", "parse_output", "snapshot_script", "split_output"]

MARKER: Final = "@@netsim-observe"
#: Starts each file of the ``files`` section (its path follows).
FILE_MARKER: Final = "@@netsim-file"
INIT_NET: Final = "init_net"

#: Marker kind -> (command after ``ip``/``bridge`` and ``-n NS``, NsSnapshot field).
#: ``nsid`` comes after ``link`` on purpose: dumping a link whose peer is in
#: another namespace is what makes the kernel allocate the peer's nsid.
_DUMPS: Final = (
    ("link", "ip $__o -j -d link show", "links"),
    ("addr", "ip $__o -j addr show", "addrs"),
    ("route", "ip $__o -j route show table all", "routes"),
    ("rule", "ip $__o -j rule show", "rules"),
    ("neigh", "ip $__o -j neigh show nud all", "neigh"),
    ("fdb", "bridge $__o -j fdb show", "fdb"),
    ("brlink", "bridge $__o -j link show", "brlinks"),
    ("nsid", "ip $__o -j netns list-id", "nsids"),
)
_FIELDS: Final = {kind: name for kind, _, name in _DUMPS}


class ObserveError(NetsimError):
    """The snapshot snippet's output cannot be read (a dump failed, or the
    script stopped the shell before the snippet ran)."""


def snapshot_script(namespaces: list[str] | None = None) -> str:
    """Bash that prints one snapshot: the initial namespace and those named
    (default: every one ``ip netns list`` shows), each dump between markers.
    Its variables start with ``__`` so as not to meet the user's."""
    if namespaces is None:
        names = '$(ip netns list | while read -r __n __rest; do echo "$__n"; done)'
    else:
        names = " ".join(f"'{n}'" for n in namespaces if n != INIT_NET)
    lines = [
        f"echo '{MARKER} begin'",
        f'for __ns in "" {names}; do',
        '  if [ -z "$__ns" ]; then __o=""; __x=""',
        '  else __o="-n $__ns"; __x="ip netns exec $__ns"; fi',
        f'  __m="{MARKER} ${{__ns:-{INIT_NET}}}"',
    ]
    for kind, command, _ in _DUMPS:
        lines.append(f'  echo "$__m {kind}"; {command} 2>&1')
    for table in IPTABLES_TABLES:
        lines.append(f'  echo "$__m iptables-{table}"; $__x iptables -t {table} -S 2>&1')
    lines.append(
        f"  echo \"$__m sysctl\"; $__x sysctl -a 2>/dev/null | grep -E '{SYSCTL_PATTERN[:-1]} = '"
    )
    globs = " ".join(f"{d}/* {d}/*/* {d}/*/*/*" for d in STATE_DIRS)
    lines += [
        "done",
        f"echo '{MARKER} {INIT_NET} files'",
        f"for __f in {globs}; do",
        f'  if [ -f "$__f" ]; then echo "{FILE_MARKER} $__f"; cat "$__f"; echo; fi',
        "done",
        f"echo '{MARKER} end'",
        "",
    ]
    return "\n".join(lines)


def split_output(text: str) -> tuple[str, str]:
    """(what the user's script printed, the snippet's part) of ``text``."""
    at = text.find(f"{MARKER} begin\n")
    if at < 0:
        raise ObserveError("the snapshot snippet did not run (did the script exit the shell?)")
    return text[:at], text[at:]


def parse_output(text: str) -> Snapshot:
    """The snapshot the snippet printed in ``text`` (only its part is read)."""
    _, part = split_output(text)
    sections: dict[str, dict[str, list[str]]] = {}
    current: list[str] | None = None
    ended = False
    for line in part.split("\n")[1:]:  # files may hold \r
        if line == f"{MARKER} end":
            ended = True
            break
        if line.startswith(MARKER + " "):
            ns, _, kind = line[len(MARKER) + 1 :].rpartition(" ")
            current = sections.setdefault(ns, {}).setdefault(kind, [])
        elif current is not None:
            current.append(line)
    if not ended:
        raise ObserveError("the snapshot snippet stopped before its end marker")
    return Snapshot({ns: _namespace(ns, kinds) for ns, kinds in sections.items()})


def _namespace(ns: str, kinds: dict[str, list[str]]) -> NsSnapshot:
    values: dict[str, Any] = {}
    for kind, lines in kinds.items():
        if kind == "sysctl":
            values["sysctls"] = _sysctls(lines)
        elif kind.startswith("iptables-"):
            table = kind.removeprefix("iptables-")
            values["iptables"] = (*values.get("iptables", ()), *_iptables(ns, table, lines))
        elif kind == "files":
            values["files"] = tuple(_files(lines))
        elif kind == "nsid":
            values["nsids"] = {
                int(r["nsid"]): str(r.get("name", INIT_NET)) for r in _json(ns, kind, lines)
            }
        elif kind in _FIELDS:
            values[_FIELDS[kind]] = tuple(_json(ns, kind, lines))
        else:
            raise ObserveError(f"{ns}: unknown dump {kind!r}")
    return NsSnapshot(**values)


def _json(ns: str, kind: str, lines: list[str]) -> list[Record]:
    text = "\n".join(lines).strip()
    if not text:
        return []
    try:
        records = json.loads(text)
    except json.JSONDecodeError:
        raise ObserveError(f"{ns}: the {kind} dump printed {text[:300]!r}") from None
    if not isinstance(records, list):
        raise ObserveError(f"{ns}: the {kind} dump is not a JSON list")
    return records


def _iptables(ns: str, table: str, lines: list[str]) -> list[Record]:
    text = "\n".join(lines)
    if lines and not lines[0].startswith("-"):
        raise ObserveError(f"{ns}: iptables -t {table} -S printed {text[:300]!r}")
    return iptables_records(table, text)


def _files(lines: list[str]) -> list[Record]:
    """Each ``@@netsim-file PATH`` line, then the file's text and one added newline."""
    out: list[Record] = []
    path: str | None = None
    body: list[str] = []
    for line in [*lines, f"{FILE_MARKER} "]:
        if line.startswith(FILE_MARKER + " "):
            if path is not None:
                out.append(file_record(path, "\n".join(body).removesuffix("\n")))
            path, body = line[len(FILE_MARKER) + 1 :], []
        else:
            body.append(line)
    return out


def _sysctls(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(" = ")
        if sep and wanted_sysctl(key):
            out[key] = value
    return out
