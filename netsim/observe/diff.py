"""Compare two snapshots field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final, final

from netsim.observe.keys import keyed
from netsim.observe.snapshot import TABLES, NsSnapshot, Record, Snapshot

__all__ = ["MISSING", "Difference", "diff", "flatten", "records"]


@final
class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The value of a field (or record) one side does not have.
MISSING: Final = _Missing()


@final
@dataclass(frozen=True, slots=True)
class Difference:
    """One place where two snapshots differ: in ``namespace``'s ``table``
    (``netns`` when a whole namespace is on one side only), the record
    ``key``, its ``field`` (a dotted path; ``None`` when the record itself is
    missing), with side a's and side b's value (:data:`MISSING` if absent)."""

    namespace: str
    table: str
    key: str
    field: str | None
    a: Any
    b: Any

    def format(self, labels: tuple[str, str] = ("a", "b")) -> str:
        """One line: ``NS TABLE[KEY].FIELD: LABEL_A=... LABEL_B=...``."""
        where = f"{self.namespace} {self.table}[{self.key}]"
        if self.field is None:
            side, record = (labels[0], self.a) if self.b is MISSING else (labels[1], self.b)
            return f"{where}: only in {side}: {_show(record)}"
        return f"{where}.{self.field}: {labels[0]}={_show(self.a)} {labels[1]}={_show(self.b)}"

    def __str__(self) -> str:
        return self.format()


def _show(value: Any) -> str:
    return "MISSING" if value is MISSING else json.dumps(value)


def records(ns: NsSnapshot, table: str) -> list[Record]:
    """The records :func:`diff` compares: ``addrs`` one per address (with its
    ``ifname``), every other table as dumped."""
    if table != "addrs":
        return list(ns.table(table))
    return [
        {"ifname": r.get("ifname"), **info} for r in ns.addrs for info in r.get("addr_info", ())
    ]


def flatten(record: Record, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted paths (``linkinfo.info_data.vni``); lists
    compare whole."""
    out: dict[str, Any] = {}
    for k, v in record.items():
        if isinstance(v, dict) and v:
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


def diff(a: Snapshot, b: Snapshot) -> list[Difference]:
    """Every difference between ``a`` and ``b`` (normalise both first), by
    namespace, table, key and field."""
    out: list[Difference] = []
    for ns in sorted(a.namespaces.keys() | b.namespaces.keys(), key=lambda n: (n != "init_net", n)):
        sa, sb = a.namespaces.get(ns), b.namespaces.get(ns)
        if sa is None or sb is None:
            out.append(Difference(ns, "netns", ns, None, MISSING if sa is None else ns,
                                  MISSING if sb is None else ns))  # fmt: skip
            continue
        for table in TABLES:
            out += _table(ns, table, records(sa, table), records(sb, table))
    return out


def _table(ns: str, table: str, ra: list[Record], rb: list[Record]) -> list[Difference]:
    ka, kb = keyed(table, ra), keyed(table, rb)
    out: list[Difference] = []
    for key in [*ka, *(k for k in kb if k not in ka)]:
        if key not in kb or key not in ka:
            out.append(Difference(ns, table, key, None, ka.get(key, MISSING),
                                  kb.get(key, MISSING)))  # fmt: skip
            continue
        fa, fb = flatten(ka[key]), flatten(kb[key])
        for f in [*fa, *(f for f in fb if f not in fa)]:
            va, vb = fa.get(f, MISSING), fb.get(f, MISSING)
            if va != vb:
                out.append(Difference(ns, table, key, f, va, vb))
    return out
