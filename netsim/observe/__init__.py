"""Observe a world, either backend's, as one snapshot; normalise; compare.

::

    script ─▶ netsim sh  ─┐                          ┌─▶ normalise ─┐
                          ├─ snapshot_script() ─▶ parse_output      ├─▶ diff ─▶ [Difference]
    script ─▶ bash/kernel ┘                          └─▶ normalise ─┘
    Host ─▶ Dump ops ─▶ snapshot(host) ───────────────────▶ normalise

A :class:`Snapshot` holds, per namespace, iproute2's JSON dumps (links,
addresses, routes of all tables, rules, neighbours, the bridge FDB with VXLAN
entries, bridge ports) and the sysctls that matter
(:data:`~netsim.observe.snapshot.CONF_SYSCTLS` and friends).

Not observed yet, left for the issues that bring them: nat/filter rules
(netfilter is not modelled), CNI results and IPAM store files (no CNI
plugins yet).  They will be further fields of :class:`NsSnapshot` and
:class:`Snapshot`.
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
