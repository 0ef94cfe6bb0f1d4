"""Observe a world, either backend's, as one snapshot; normalise; compare.

::

    script ─▶ netsim sh  ─┐                          ┌─▶ normalise ─┐
                          ├─ snapshot_script() ─▶ parse_output      ├─▶ diff ─▶ [Difference]
    script ─▶ bash/kernel ┘                          └─▶ normalise ─┘
    Host ─▶ Dump ops ─▶ snapshot(host) ───────────────────▶ normalise

A :class:`Snapshot` holds, per namespace, iproute2's JSON dumps (links,
addresses, routes of all tables, rules, neighbours, the bridge FDB with VXLAN
entries, bridge ports), the nat and filter rules (``iptables -t T -S``), the
files plugins keep state in (the result cache, host-local's store, flannel's
files) and the sysctls that matter (:data:`~netsim.observe.snapshot.CONF_SYSCTLS`
and friends).
"""

from netsim.observe.diff import MISSING, Difference, diff
from netsim.observe.host import snapshot
from netsim.observe.normalise import normalise
from netsim.observe.script import ObserveError, parse_output, snapshot_script
from netsim.observe.snapshot import NsSnapshot, Snapshot

__all__ = [
    "MISSING",
    "Difference",
    "NsSnapshot",
    "ObserveError",
    "Snapshot",
    "diff",
    "normalise",
    "parse_output",
    "snapshot",
    "snapshot_script",
]
