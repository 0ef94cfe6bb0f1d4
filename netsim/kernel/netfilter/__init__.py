"""Netfilter for IPv4: iptables tables, the hooks, conntrack and NAT.

::

    iptables argv --parse_rule--> Rule --Table.append--> Chain
                                                          |
    InetStack (ip_rcv, ip_forward, ip_local_deliver, ip_local_out, ip_output)
      --> Netfilter.prerouting/forward/local_in/local_out/postrouting
            --> CtTable (conntrack) + Table.traverse (ipt_do_table) + nat.manip

See ``docs/reference/netfilter.md``.
"""

from netsim.kernel.netfilter.argv import RuleSyntaxError, parse_rule, save_rule
from netsim.kernel.netfilter.hooks import Netfilter
from netsim.kernel.netfilter.rule import Rule
from netsim.kernel.netfilter.table import NfError, Table

__all__ = ["Netfilter", "NfError", "Rule", "RuleSyntaxError", "Table", "parse_rule", "save_rule"]
