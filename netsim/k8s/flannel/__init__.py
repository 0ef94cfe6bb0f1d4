"""flannel as a cluster's pod network: what its DaemonSet does on every node
(``Documentation/kube-flannel.yml``).

::

    config.py    net-conf.json
    backends.py  vxlan and host-gw, as Host operations
    daemon.py    flanneld (kube subnet manager, iptables, subnet.env)

:class:`Flannel` is the :class:`~netsim.k8s.cluster.PodNetwork`: on a node
that joins, the ``install-cni`` init container writes
``/etc/cni/net.d/10-flannel.conflist`` (the manifest's ``cni-conf.json``) and
then flanneld starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from netsim.k8s.flannel.config import NetConf, parse_net_conf
from netsim.k8s.flannel.daemon import Flanneld
from netsim.k8s.kubelet import CNI_CONF_DIR

if TYPE_CHECKING:
    from netsim.k8s.cluster import Cluster, Node

__all__ = ["CNI_CONF", "NET_CONF", "Flannel"]

#: The manifest's ``net-conf.json``.
NET_CONF: Final = '{"Network":"10.244.0.0/16","EnableNFTables":false,"Backend":{"Type":"vxlan"}}'
#: The manifest's ``cni-conf.json`` (the seed notes' 10-flannel.conflist).
CNI_CONF: Final = """{
  "name": "cbr0",
  "cniVersion": "0.3.1",
  "plugins": [
    {
      "type": "flannel",
      "delegate": {
        "hairpinMode": true,
        "isDefaultGateway": true
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    }
  ]
}
"""


class Flannel:
    """flannel on every node: ``net_conf`` (``net-conf.json``), ``cni_conf``
    (written as ``10-flannel.conflist``), flanneld's ``--ip-masq``."""

    def __init__(self, net_conf: str = NET_CONF, *, cni_conf: str = CNI_CONF,
                 ip_masq: bool = True):  # fmt: skip
        self.conf: NetConf = parse_net_conf(net_conf)
        self.cni_conf = cni_conf
        self.ip_masq = ip_masq
        self.daemons: dict[str, Flanneld] = {}

    def install(self, cluster: Cluster, node: Node) -> None:
        node.fs.mkdir(CNI_CONF_DIR, parents=True)
        node.fs.write(f"{CNI_CONF_DIR}/10-flannel.conflist", self.cni_conf)
        daemon = Flanneld(cluster, node, self.conf, ip_masq=self.ip_masq)
        self.daemons[node.name] = daemon
        daemon.start()

    def restart(self, cluster: Cluster, node: Node) -> None:
        """The node's flanneld restarted: the old daemon gone, a new one started over
        what it left (``ensureLink`` keeps a compatible ``flannel.N`` and its MAC, the
        lease is the node's podCIDR again, routes, neighbours and FDB entries are
        replaced, the iptables rules found in place)."""
        self.uninstall(cluster, node)
        daemon = Flanneld(cluster, node, self.conf, ip_masq=self.ip_masq)
        self.daemons[node.name] = daemon
        daemon.start()

    def uninstall(self, cluster: Cluster, node: Node) -> None:
        daemon = self.daemons.pop(node.name, None)
        if daemon is not None:
            daemon.stop()
