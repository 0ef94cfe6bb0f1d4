"""IP masquerade for a container address: ``SetupIPMasq`` / ``TeardownIPMasq`` of
``pkg/ip/ipmasq_linux.go`` (containernetworking/plugins v1.1.1), in the host
namespace's nat table through go-iptables (:mod:`netsim.cni.iptables`)."""

from __future__ import annotations

from netsim.cni.driver import PluginGen
from netsim.cni.errors import CniError
from netsim.cni.iptables import IPTables, is_not_exist
from netsim.cni.result import IPNet

__all__ = ["setup_ip_masq", "teardown_ip_masq"]


def _go_ipnet(ipn: IPNet) -> str:
    """``(*net.IPNet).String()``: the address as stored, with its prefix length."""
    return f"{ipn.ip}/{ipn.network.prefixlen}"


def setup_ip_masq(netns: str, ipn: IPNet, chain: str, comment: str) -> PluginGen[None]:
    """``SetupIPMasq``: chain ``chain`` (made unless listed) accepting traffic to
    ``ipn``'s network and masquerading the rest but multicast; a POSTROUTING jump
    for traffic from ``ipn``'s address.  Each rule appended once."""
    v6 = ipn.version == 6
    ipt = IPTables(netns, ipv6=v6)
    multicast = "ff00::/8" if v6 else "224.0.0.0/4"
    try:
        chains = yield from ipt.list_chains("nat")
    except Exception as e:
        raise CniError(f"failed to list chains: {e}") from None
    if chain not in chains:
        yield from ipt.new_chain("nat", chain)
    cm = ("-m", "comment", "--comment", comment)
    yield from ipt.append_unique("nat", chain, "-d", _go_ipnet(ipn), "-j", "ACCEPT", *cm)
    yield from ipt.append_unique("nat", chain, "!", "-d", multicast, "-j", "MASQUERADE", *cm)
    yield from ipt.append_unique("nat", "POSTROUTING", "-s", str(ipn.ip), "-j", chain, *cm)


def teardown_ip_masq(netns: str, ipn: IPNet, chain: str, comment: str) -> PluginGen[None]:
    """``TeardownIPMasq``: the POSTROUTING jump (by address, then the older form by
    network), then the chain flushed and deleted; what does not exist is fine."""
    ipt = IPTables(netns, ipv6=ipn.version == 6)
    cm = ("-m", "comment", "--comment", comment)
    steps = (
        ipt.delete("nat", "POSTROUTING", "-s", str(ipn.ip), "-j", chain, *cm),
        ipt.delete("nat", "POSTROUTING", "-s", _go_ipnet(ipn), "-j", chain, *cm),
        ipt.clear_chain("nat", chain),
        ipt.delete_chain("nat", chain),
    )
    for step in steps:  # generators: nothing runs before its turn
        try:
            yield from step
        except Exception as e:
            if not is_not_exist(e):
                raise
