"""The dhcp IPAM daemon (``dhcp daemon``): ``plugins/ipam/dhcp/daemon.go`` and the
daemon half of ``main.go`` of containernetworking/plugins v1.1.1.

It listens on a unix socket of the node's filesystem (default
``/run/cni/dhcp.sock``) and answers the plugin's ``DHCP.Allocate`` (ADD and
CHECK: acquire a lease on the container interface, inside the container's
namespace, and keep it) and ``DHCP.Release`` (DEL: stop maintaining and send
DHCPRELEASE).  Leases are keyed by client id ``<containerID>/<network>/<ifname>``;
an Allocate for a client id already held replaces the entry and leaves the old
lease's maintenance running, as Go's map assignment does.

The daemon is a background program of the simulated machine: its work is
simpy processes on the world's engine, and an RPC call runs the engine until
the reply (simulated time passes meanwhile).  It logs as Go's ``log`` package
does (``2006/01/02 15:04:05 msg``) with the simulated clock counted from the
epoch.
"""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Final

from netsim.apps.cni_dhcp.lease import Lease, LeaseError
from netsim.apps.cni_dhcp.options import prepare_options
from netsim.cni.errors import CniError
from netsim.cni.fs import RpcError
from netsim.cni.gojson import GoJsonError, field, unmarshal
from netsim.cni.plugins.netns import TMPFS_MAGIC, netns_name
from netsim.cni.result import IPConfig, Result
from netsim.errors import NetsimError
from netsim.shell.fs import FsError

if TYPE_CHECKING:
    from netsim.cni.skel import CmdArgs
    from netsim.shell.fs import MemFs
    from netsim.world import World

__all__ = ["DEFAULT_SOCKET", "Daemon", "DaemonLog", "client_id", "go_time"]

DEFAULT_SOCKET: Final = "/run/cni/dhcp.sock"
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def go_time(t: float, start: float) -> str:
    """Go's ``Time.String()`` of the simulated instant ``t`` with its monotonic
    reading ``m=+`` (seconds since ``start``, when the daemon began)."""
    ns = round(t * 1e9)
    stamp = (_EPOCH + datetime.timedelta(seconds=ns // 10**9)).strftime("%Y-%m-%d %H:%M:%S")
    frac = f".{ns % 10**9:09d}".rstrip("0") if ns % 10**9 else ""
    m = round((t - start) * 1e9)
    return f"{stamp}{frac} +0000 UTC m=+{m // 10**9}.{m % 10**9:09d}"


class DaemonLog:
    """Go's standard logger on the daemon's stderr."""

    def __init__(self, write: Callable[[str], None], now: Callable[[], float]):
        self.write = write
        self.now = now
        self.start = now()

    def print(self, text: str) -> None:
        """``log.Print``: the date and time, the text, a newline."""
        stamp = (_EPOCH + datetime.timedelta(seconds=int(self.now()))).strftime("%Y/%m/%d %H:%M:%S")
        self.write(f"{stamp} {text}" + ("" if text.endswith("\n") else "\n"))

    def time(self, t: float) -> str:
        return go_time(t, self.start)


def client_id(container_id: str, net: str, ifname: str) -> str:
    """``generateClientID``: ``<id>/<network>/<ifname>``, cut to 254 bytes."""
    return (container_id + "/" + net + "/" + ifname).encode()[:254].decode(errors="ignore")


class Daemon:
    """``DHCP``: the leases and the client settings; the RPC service."""

    def __init__(self, world: World, fs: MemFs, log: DaemonLog, *, timeout: float,
                 resend_max: float, broadcast: bool):  # fmt: skip
        self.world = world
        self.fs = fs
        self.log = log
        self.timeout, self.resend_max, self.broadcast = timeout, resend_max, broadcast
        self.leases: dict[str, Lease] = {}

    # --- RPC ---------------------------------------------------------------------------------

    def call(self, method: str, args: CmdArgs) -> Result | None:
        """One ``net/rpc`` call: run the engine until the method returns;
        :class:`RpcError` with the method's error."""
        methods = {"DHCP.Allocate": self.allocate, "DHCP.Release": self.release}
        fn = methods.get(method)
        if fn is None:
            raise RpcError(f"rpc: can't find method {method}")
        env = self.world.engine.env
        proc = env.process(fn(args))
        try:
            env.run(until=proc)
        except (LeaseError, CniError) as e:
            raise RpcError(e.msg if isinstance(e, CniError) else str(e)) from None
        result: Result | None = proc.value
        return result

    def _netconf(self, args: CmdArgs) -> tuple[str, dict[str, Any]]:
        try:
            conf = unmarshal(args.stdin)
        except GoJsonError as e:
            raise CniError(f"error parsing netconf: {e}") from None
        name = field(conf, "name") if isinstance(conf, dict) else None
        ipam = field(conf, "ipam") if isinstance(conf, dict) else None
        return (name if isinstance(name, str) else ""), (ipam if isinstance(ipam, dict) else {})

    def allocate(self, args: CmdArgs) -> Generator[Any, Any, Result]:
        """``Allocate``: acquire a lease and keep it; the IPAM result."""
        name, ipam = self._netconf(args)
        provide = field(ipam, "provide") or []
        request = field(ipam, "request") or []
        requesting, providing = prepare_options(args.args, provide, request)
        cid = client_id(args.container_id, name, args.ifname)
        lease = yield from self.acquire_lease(cid, args.netns, args.ifname, requesting, providing)
        try:
            ipn = lease.ip_net()
        except LeaseError:
            yield from lease.stop()
            raise
        self.leases[cid] = lease
        return Result(ips=(IPConfig(address=ipn, gateway=lease.gateway()),),
                      routes=tuple(lease.routes()))  # fmt: skip

    def release(self, args: CmdArgs) -> Generator[Any, Any, None]:
        """``Release``: stop the lease's maintenance (which sends DHCPRELEASE)."""
        name, _ = self._netconf(args)
        cid = client_id(args.container_id, name, args.ifname)
        lease = self.leases.get(cid)
        if lease is not None:
            yield from lease.stop()
            self.leases.pop(cid, None)
        return None

    def acquire_lease(self, cid: str, netns: str, ifname: str, requesting: dict[int, bool],
                      providing: dict[int, bytes]) -> Generator[Any, Any, Lease]:  # fmt: skip
        """``AcquireLease``: in the container's namespace, the link by name, the
        first lease; then its maintenance in the background."""
        self.log.print(f"{cid}: acquiring lease")
        ns = self._netns(netns)
        try:
            link = ns.dev(ifname)
        except NetsimError:
            raise LeaseError(f'error looking up "{ifname}": Link not found') from None
        lease = Lease(cid, ns, link, requesting=requesting, providing=providing,
                      timeout=self.timeout, resend_max=self.resend_max,
                      broadcast=self.broadcast, rng=self.world.rng, log=self.log)  # fmt: skip
        yield from lease.acquire()
        self.log.print(f"{cid}: lease acquired, expiration is {lease.time_text(lease.expire_time)}")
        self.world.engine.env.process(lease.maintain())
        return lease

    def _netns(self, path: str) -> Any:
        """``ns.WithNetNSPath``: the namespace ``path`` names."""
        name = netns_name(posixpath.normpath(path))
        if name is not None and name in self.world.kernel.namespaces:
            return self.world.kernel.netns(name)
        if self.fs.exists(path):
            raise LeaseError(f'unknown FS magic on "{path}": {TMPFS_MAGIC:x}')
        raise LeaseError(f'failed to Statfs "{path}": no such file or directory')

    # --- the listener -------------------------------------------------------------------------

    def listen(self, socket_path: str) -> None:
        """``getListener``: ``mkdir -p`` the directory, bind the socket."""
        parent = posixpath.dirname(socket_path) or "."
        try:
            self.fs.mkdir(parent, parents=True)
        except FsError as e:
            raise LeaseError(f"mkdir {parent}: {e.strerror.lower()}") from None
        try:
            self.fs.bind_socket(socket_path, self)
        except FsError as e:
            raise LeaseError(f"listen unix {socket_path}: bind: {e.strerror.lower()}") from None
