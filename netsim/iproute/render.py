"""The renderers in one place: ``ip link`` ones live in
:mod:`netsim.iproute.render_link`, ``bridge`` ones in
:mod:`netsim.iproute.render_bridge`."""

from netsim.iproute.render_bridge import bridge_fdb_show, bridge_link_show
from netsim.iproute.render_link import Record, ip_link_show, ip_link_show_brief

__all__ = [
    "Record",
    "bridge_fdb_show",
    "bridge_link_show",
    "ip_link_show",
    "ip_link_show_brief",
]
