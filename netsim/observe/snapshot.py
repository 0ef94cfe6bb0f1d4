"""The snapshot: per namespace, what iproute2 dumps as JSON, plus the sysctls
that matter.

Records are kept exactly as ``ip -j``/``bridge -j`` print them (plain JSON
values), so a snapshot of the model and one of the kernel can be read side by
side; :func:`netsim.observe.normalise` makes them comparable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "CONF_SYSCTLS",
    "GLOBAL_SYSCTLS",
    "IPTABLES_TABLES",
    "NEIGH_SYSCTLS",
    "STATE_DIRS",
    "SYSCTL_PATTERN",
    "TABLES",
    "NsSnapshot",
    "Record",
    "Snapshot",
    "file_record",
    "iptables_records",
    "wanted_sysctl",
]

#: One record as iproute2 prints it in JSON.
Record = dict[str, Any]

#: The tables of a namespace, in the order they are dumped and compared.
TABLES: Final = ("links", "addrs", "routes", "rules", "neigh", "fdb", "brlinks", "iptables",
                  "files", "sysctls")  # fmt: skip
#: The iptables tables a snapshot lists (``iptables -t T -S``): what CNI plugins and
#: flannel change.
IPTABLES_TABLES: Final = ("filter", "nat")
#: Where plugins keep state on a node, listed in a snapshot's ``files`` (three
#: levels down): libcni's result cache, host-local's store, flannel's files.
STATE_DIRS: Final = ("/var/lib/cni", "/run/flannel")

#: Namespace-wide sysctls that change forwarding.
GLOBAL_SYSCTLS: Final = ("net.ipv4.ip_forward",)
#: ``net.ipv4.conf.{all,default,DEV}.KEY``: forwarding, reverse-path filtering,
#: proxy ARP and ARP replies/announcements, local-source handling, redirects --
#: what CNI plugins and the L3 path of the model read.
CONF_SYSCTLS: Final = (
    "forwarding",
    "rp_filter",
    "proxy_arp",
    "proxy_arp_pvlan",
    "arp_ignore",
    "arp_announce",
    "arp_filter",
    "arp_accept",
    "route_localnet",
    "accept_local",
    "send_redirects",
)
#: ``net.ipv4.neigh.DEV.KEY``: the ARP state machine's timers and probe counts.
NEIGH_SYSCTLS: Final = (
    "base_reachable_time_ms",
    "delay_first_probe_time",
    "gc_stale_time",
    "retrans_time_ms",
    "ucast_solicit",
    "mcast_solicit",
    "app_solicit",
    "proxy_delay",
)
#: A sysctl key (as ``sysctl`` prints it: a device's dots become ``/``) this
#: snapshot keeps; an extended regex both ``grep -E`` and :mod:`re` read alike.
SYSCTL_PATTERN: Final = (
    r"^net\.ipv4\.(ip_forward"
    rf"|conf\.[^.]+\.({'|'.join(CONF_SYSCTLS)})"
    rf"|neigh\.[^.]+\.({'|'.join(NEIGH_SYSCTLS)}))$"
)
_SYSCTL_RE: Final = re.compile(SYSCTL_PATTERN)


def wanted_sysctl(key: str) -> bool:
    """Whether ``key`` is one of the sysctls a snapshot keeps."""
    return _SYSCTL_RE.match(key) is not None


def iptables_records(table: str, text: str) -> list[Record]:
    """``iptables -t TABLE -S`` as records: ``{"table", "chain", "policy"}`` for
    ``-P``, ``{"table", "chain"}`` for ``-N``, and ``{"table", "chain", "index",
    "rule"}`` for each ``-A`` (``index`` is its 1-based place in the chain)."""
    out: list[Record] = []
    counts: dict[str, int] = {}
    for line in text.splitlines():
        op, _, rest = line.partition(" ")
        chain, _, tail = rest.partition(" ")
        if op == "-P":
            out.append({"table": table, "chain": chain, "policy": tail})
        elif op == "-N":
            out.append({"table": table, "chain": chain})
        elif op == "-A":
            counts[chain] = counts.get(chain, 0) + 1
            out.append({"table": table, "chain": chain, "index": counts[chain], "rule": tail})
    return out


def file_record(path: str, content: str) -> Record:
    """A state file: ``{"path", "json"}`` when it holds JSON (so the normaliser
    reaches the names inside), else ``{"path", "text"}``."""
    if content.lstrip().startswith(("{", "[")):
        try:
            return {"path": path, "json": json.loads(content)}
        except json.JSONDecodeError:
            pass
    return {"path": path, "text": content}


@dataclass(frozen=True, slots=True, kw_only=True)
class NsSnapshot:
    """One namespace: records as ``ip -j -d link show``, ``ip -j addr show``,
    ``ip -j route show table all``, ``ip -j rule show``, ``ip -j neigh show
    nud all``, ``bridge -j fdb show``, ``bridge -j link show`` print them (a port's
    details are in its link's ``info_slave_data``);
    ``sysctls`` maps keys to values; ``nsids`` maps this namespace's peer
    namespace ids (``ip -j netns list-id``) to names (``init_net`` for the
    unnamed initial namespace)."""

    links: tuple[Record, ...] = ()
    addrs: tuple[Record, ...] = ()
    routes: tuple[Record, ...] = ()
    rules: tuple[Record, ...] = ()
    neigh: tuple[Record, ...] = ()
    fdb: tuple[Record, ...] = ()
    brlinks: tuple[Record, ...] = ()
    #: ``iptables -t filter|nat -S`` (:func:`iptables_records`).
    iptables: tuple[Record, ...] = ()
    #: Plugin state files under :data:`STATE_DIRS` (:func:`file_record`); the
    #: machine's filesystem is listed with its initial namespace.
    files: tuple[Record, ...] = ()
    sysctls: dict[str, str] = field(default_factory=dict)
    nsids: dict[int, str] = field(default_factory=dict)

    def table(self, name: str) -> tuple[Record, ...]:
        """The records of table ``name`` (one of :data:`TABLES`); sysctls as
        ``{"key": K, "value": V}`` records."""
        if name == "sysctls":
            return tuple({"key": k, "value": v} for k, v in sorted(self.sysctls.items()))
        records: tuple[Record, ...] = getattr(self, name)
        return records


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A world: namespace name (``init_net`` for the initial one) -> its state."""

    namespaces: dict[str, NsSnapshot]

    def normalised(self, *, pinned: frozenset[str] = frozenset()) -> Snapshot:
        """This snapshot with what is random replaced by stable names
        (:func:`netsim.observe.normalise.normalise`)."""
        from netsim.observe.normalise import normalise

        return normalise(self, pinned=pinned)
