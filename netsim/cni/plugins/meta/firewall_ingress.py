"""The firewall plugin's ``ingressPolicy``: ``plugins/meta/firewall/ingresspolicy.go``
of containernetworking/plugins v1.1.1 (``setupIngressPolicy``,
``setupIsolationChains``, ``teardownIngressPolicy``).

``same-bridge`` isolates the bridge named by ``prevResult.interfaces[0]``:
``CNI-ISOLATION-STAGE-1`` (jumped to first from FORWARD) sends traffic from
the bridge to elsewhere on to ``CNI-ISOLATION-STAGE-2``, which drops what goes
out to the bridge.  Nothing is torn down (other containers may share the bridge)."""

from __future__ import annotations

from typing import Final

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.gojson import go_quote
from netsim.cni.iptables import IPTables
from netsim.cni.iptables_utils import ensure_chain, insert_unique
from netsim.cni.result import Result

__all__ = ["setup_ingress_policy", "teardown_ingress_policy"]

OPEN: Final = "open"
SAME_BRIDGE: Final = "same-bridge"
STAGE1: Final = "CNI-ISOLATION-STAGE-1"
STAGE2: Final = "CNI-ISOLATION-STAGE-2"
_COMMENT: Final = (
    "-m",
    "comment",
    "--comment",
    "CNI firewall plugin rules (ingressPolicy: same-bridge)",
)


def _unknown(policy: str) -> CniError:
    return CniError(f"unknown ingress policy: {go_quote(policy)}")


def setup_ingress_policy(netns: str, policy: str, prev: Result) -> PluginGen[None]:
    """``setupIngressPolicy``: nothing for ``open`` (the default)."""
    if policy in ("", OPEN):
        return
    if policy != SAME_BRIDGE:
        raise _unknown(policy)
    if not prev.interfaces:
        raise CniError(f"interface needs to be set for ingress policy {go_quote(policy)}, make "
                       'sure to chain "firewall" plugin with "bridge"')  # fmt: skip
    bridge = prev.interfaces[0].name
    if not bridge:
        raise CniError("got empty bridge name")
    for ip in prev.ips:  # findProtos: one protocol per address, repeats included
        yield from setup_isolation_chains(IPTables(netns, ipv6=ip.address.version == 6), bridge)


def setup_isolation_chains(ipt: IPTables, bridge: str) -> PluginGen[None]:
    """``setupIsolationChains``."""
    for chain in (STAGE1, STAGE2):
        yield from ensure_chain(ipt, "filter", chain)
    yield from insert_unique(ipt, "filter", "FORWARD", True, ["-j", STAGE1, *_COMMENT])
    stage1 = ["-i", bridge, "!", "-o", bridge, "-j", STAGE2, *_COMMENT]
    yield from insert_unique(ipt, "filter", STAGE1, True, stage1)
    yield from insert_unique(ipt, "filter", STAGE1, False, ["-j", "RETURN", *_COMMENT])
    yield from insert_unique(ipt, "filter", STAGE2, True, ["-o", bridge, "-j", "DROP", *_COMMENT])
    yield from insert_unique(ipt, "filter", STAGE2, False, ["-j", "RETURN", *_COMMENT])


def teardown_ingress_policy(policy: str) -> None:
    """``teardownIngressPolicy``: nothing to do, but an unknown policy is an error."""
    if policy not in ("", OPEN, SAME_BRIDGE):
        raise _unknown(policy)
