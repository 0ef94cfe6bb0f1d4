"""dnsmasq 2.90 as a DHCP server of the simulated machine (:mod:`.config`: its
options; :mod:`.server`: the protocol).  ``dnsmasq ARGS`` in ``netsim sh``, or
:func:`start` from Python; like the real one it puts itself in the background
(``-k``/``-d`` keep it in the foreground: start it with ``&`` then)."""

from __future__ import annotations

import os
import posixpath
from typing import TYPE_CHECKING

from netsim.apps.dnsmasq.config import CONFFILE, Config, ConfigError, NotModelled, parse_args
from netsim.apps.dnsmasq.config import parse_conf as _parse_conf
from netsim.apps.dnsmasq.server import Server
from netsim.errors import KernelError

if TYPE_CHECKING:
    from netsim.shell.fs import MemFs
    from netsim.world import World

__all__ = ["DnsmasqError", "Server", "start"]


class DnsmasqError(Exception):
    """dnsmasq refused to start: what it printed on stderr and its exit status."""

    def __init__(self, text: str, status: int):
        super().__init__(text)
        self.text = text
        self.status = status


def _die(message: str, status: int) -> DnsmasqError:
    return DnsmasqError(f"\ndnsmasq: {message}\n", status)


def configure(argv: list[str], fs: MemFs) -> Config:
    """The options of ``dnsmasq ARGV`` and of its configuration file."""
    try:
        conf = parse_args(argv)
        path = conf.conf_file if conf.conf_file is not None else CONFFILE
        if path and path != "/dev/null":
            if fs.exists(path) and not fs.is_dir(path):
                _parse_conf(conf, fs.read(path), path)
            elif conf.conf_file is not None:
                raise _die(f"cannot read {path}: No such file or directory", 3)
    except ConfigError as e:
        raise _die(f"bad command line options: {e.message}", e.status) from None
    except NotModelled as e:
        raise DnsmasqError(f"netsim: dnsmasq: {e} is not modelled yet\n", 2) from None
    if conf.port != 0:
        raise DnsmasqError("netsim: dnsmasq: DNS is not modelled yet (give --port=0)\n", 2)
    if conf.pid_file != "":
        raise DnsmasqError(
            "netsim: dnsmasq: a pid file is not modelled yet (give --pid-file=)\n", 2
        )
    return conf


def start(world: World, netns: str, argv: list[str], fs: MemFs) -> Server | None:
    """``dnsmasq ARGV`` in ``netsim``'s namespace ``netns``: the running server
    (None when no ``--dhcp-range`` makes it serve DHCP).

    :raises DnsmasqError: what dnsmasq prints when it will not start."""
    conf = configure(argv, fs)
    if not conf.ranges:
        return None
    parent = posixpath.dirname(fs.path(conf.leasefile))
    if not fs.is_dir(parent):
        raise _die(
            f"cannot open or create lease file {conf.leasefile}: No such file or directory", 3
        )
    text = fs.read(conf.leasefile) if fs.exists(conf.leasefile) else ""
    try:
        server = Server(world.netns(netns), fs, conf)
    except KernelError as e:
        raise _die(f"failed to bind DHCP server socket: {os.strerror(e.errno)}", 2) from None
    if not fs.exists(conf.leasefile):
        fs.write(conf.leasefile, "")
    server.read_leases(text)
    return server
