"""iproute2 6.1 text output, rendered from iproute2's own JSON records.

netsim dumps links, FDB entries and bridge ports as records shaped exactly
like ``ip -j [-d] link show``, ``bridge -j [-s] fdb show`` and
``bridge -j [-d] link show`` print them (lists of dicts, as ``json.loads``
returns them).  The functions here turn such records into the text the real
tools print for the same command, byte for byte.
"""

from netsim.iproute.render_addr import ip_addr_show, ip_addr_show_brief
from netsim.iproute.render_bridge import bridge_fdb_show, bridge_link_show
from netsim.iproute.render_fields import Record
from netsim.iproute.render_link import ip_link_show, ip_link_show_brief
from netsim.iproute.render_neigh import ip_neigh_show, ip_neigh_show_brief
from netsim.iproute.render_route import ip_route_get, ip_route_show
from netsim.iproute.render_rule import ip_rule_show

__all__ = [
    "Record",
    "bridge_fdb_show",
    "bridge_link_show",
    "ip_addr_show",
    "ip_addr_show_brief",
    "ip_link_show",
    "ip_link_show_brief",
    "ip_neigh_show",
    "ip_neigh_show_brief",
    "ip_route_get",
    "ip_route_show",
    "ip_rule_show",
]
