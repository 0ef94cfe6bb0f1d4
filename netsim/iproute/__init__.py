"""iproute2 6.1 text output, rendered from iproute2's own JSON records.

netsim dumps links, FDB entries and bridge ports as records shaped exactly
like ``ip -j [-d] link show``, ``bridge -j [-s] fdb show`` and
``bridge -j [-d] link show`` print them (lists of dicts, as ``json.loads``
returns them).  The functions here turn such records into the text the real
tools print for the same command, byte for byte.
"""

from netsim.iproute.render_bridge import bridge_fdb_show, bridge_link_show
from netsim.iproute.render_fields import Record
from netsim.iproute.render_link import ip_link_show, ip_link_show_brief

__all__ = [
    "Record",
    "bridge_fdb_show",
    "bridge_link_show",
    "ip_link_show",
    "ip_link_show_brief",
]
