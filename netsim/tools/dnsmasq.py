"""``dnsmasq`` (2.90) for ``netsim sh``: its DHCP server (:mod:`netsim.apps.dnsmasq`).

Like the real one it checks its options, opens its lease file, binds port 67
and goes into the background, returning 0; a refusal prints dnsmasq's line
(``dnsmasq: failed to bind DHCP server socket: Address already in use``, after
an empty line, as dnsmasq writes it) with its exit status."""

from __future__ import annotations

from netsim.apps.dnsmasq import DnsmasqError, configure, start
from netsim.shell.fs import MemFs
from netsim.shell.proc import Proc

__all__ = ["dnsmasq_main"]


def dnsmasq_main(proc: Proc) -> int:
    fs = proc.fs if proc.fs is not None else MemFs()
    try:
        conf = configure(proc.argv[1:], fs)
        if conf.foreground and not proc.background:
            proc.err("netsim: dnsmasq: in the foreground it never returns; start it with '&'\n")
            return 2
        start(proc.world, proc.netns, proc.argv[1:], fs)
    except DnsmasqError as e:
        proc.err(e.text)
        return e.status
    return 0
