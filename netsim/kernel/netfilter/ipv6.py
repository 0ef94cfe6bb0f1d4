"""ip6tables' tables (``net->ipv6.ip6table_*``): kept and listed as ip6tables
1.8.9 shows them, but acting on no packet, since the model has no IPv6 data
path.  CNI plugins call ip6tables on every node (portmap's CHECK and DEL, the
firewall's IPv6 rules), so the tables must be there as on a kernel with IPv6."""

from __future__ import annotations

from typing import Final

from netsim.kernel.netfilter.table import NfError, Table

__all__ = ["TABLES6", "Netfilter6"]

#: The tables ip6tables manages, in ``ip6tables-save``'s order.
TABLES6: Final = ("filter", "nat", "mangle", "raw")


class Netfilter6:
    """One namespace's ip6tables tables (no hooks, no conntrack)."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {name: Table(name) for name in TABLES6}

    def table(self, name: str) -> Table:
        """A table by name; :class:`NfError` ``notable`` for one not modelled."""
        try:
            return self.tables[name]
        except KeyError:
            raise NfError("notable", name) from None
