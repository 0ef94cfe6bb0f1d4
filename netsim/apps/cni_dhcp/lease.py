"""One lease the dhcp IPAM daemon holds: ``plugins/ipam/dhcp/lease.go`` of
containernetworking/plugins v1.1.1 (``AcquireLease``, ``acquire``, ``commit``,
``maintain``, ``renew``, ``release``, ``backoffRetry``, ``Stop``), in the
world's simulated time.

``maintain`` is a simpy process: bound until T1, then renewing (each try a
whole ``backoffRetry``: 4 quick retries 2 s +- 1 s apart, then 4, 8, 16, 32 and
64 s +- 1 s, every try waiting up to the client timeout), rebinding (a new
DISCOVER) once a renewal fails after T2, and, when rebinding fails past the
expiry, the interface set down and the lease dropped.  ``Stop`` is checked
where Go's ``select`` waits: a renewal in progress finishes first, then the
lease is released (DHCPRELEASE).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Final

from netsim.apps.cni_dhcp import options as o
from netsim.apps.cni_dhcp.client import (
    Client,
    ClientError,
    PacketConn,
    dhcp_release,
    dhcp_renew,
    dhcp_request,
    errno_text,
)
from netsim.cni.errors import CniError
from netsim.cni.result import IP, IPNet, Route
from netsim.errors import KernelError
from netsim.packet.dhcp import DHCP, OPT_CLIENT_ID, OPT_PARAM_REQUEST

if TYPE_CHECKING:
    import random

    from netsim.apps.cni_dhcp.daemon import DaemonLog
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["Lease", "LeaseError"]

RESEND_DELAY0: Final = 4.0
RESEND_DELAY_MAX: Final = 62.0
RESEND_FAST_DELAY: Final = 2.0
RESEND_FAST_MAX: Final = 4
BOUND, RENEWING, REBINDING = 0, 1, 2

Wait = Generator[Any, Any, Any]


class LeaseError(Exception):
    """An error as the daemon reports it (Go's ``%v``)."""


class Lease:
    """``DHCPLease``: the acknowledged lease of one client id on one interface."""

    def __init__(self, client_id: str, ns: Netns, link: Link, *, requesting: dict[int, bool],
                 providing: dict[int, bytes], timeout: float, resend_max: float,
                 broadcast: bool, rng: random.Random, log: DaemonLog):  # fmt: skip
        self.client_id = client_id
        self.ns = ns
        self.env = ns.kernel.engine.env
        # netlink.LinkByName: the attributes as they were at lookup
        self.ifindex, self.ifname = link.ifindex, link.ifname
        self.hwaddr = link.address.packed
        self.was_up = link.up
        self.requesting, self.providing = requesting, providing
        self.timeout, self.resend_max, self.broadcast = timeout, resend_max, broadcast
        self.rng, self.logger = rng, log
        self.ack: DHCP | None = None
        self.opts: o.Options = {}
        self.renewal_time = self.rebinding_time = self.expire_time = 0.0
        self.stopping = False
        self.stop_event = self.env.event()
        self.done = self.env.event()

    # --- options -------------------------------------------------------------------------

    def options_with_client_id(self) -> list[tuple[int, bytes]]:
        """``getOptionsWithClientId``: option 61, type 0 then the id."""
        return [(OPT_CLIENT_ID, b"\x00" + self.client_id.encode())]

    def all_options(self) -> list[tuple[int, bytes]]:
        """``getAllOptions``: client id, the provided options, the request list."""
        opts = dict(self.options_with_client_id())
        opts.update(self.providing)
        opts[OPT_PARAM_REQUEST] = bytes(self.requesting)
        return list(opts.items())

    # --- the exchange ----------------------------------------------------------------------

    def new_client(self) -> Client:
        """``newDHCPClient``: a packet socket on the interface, by index."""
        try:
            conn = PacketConn(self.ns, self.ifindex, self.rng)
        except KernelError as e:
            raise LeaseError(errno_text(e)) from None
        return Client(self.hwaddr, conn, timeout=self.timeout, broadcast=self.broadcast)

    def backoff_retry(self, f: Callable[[], Wait]) -> Wait:
        """``backoffRetry``: the reply, or ``no more tries``."""
        base, fast = RESEND_DELAY0, RESEND_FAST_MAX
        while True:
            try:
                return (yield from f())
            except (ClientError, LeaseError) as e:
                self.log(str(e))
            if fast == 0:
                sleep = base + self._jitter()
            else:
                sleep = RESEND_FAST_DELAY + self._jitter()
                fast -= 1
            self.log(f"retrying in {sleep:f} seconds")
            yield self.env.timeout(max(sleep, 0.0))
            if base < self.resend_max and fast == 0:
                base *= 2
            elif fast == 0:
                break
        raise LeaseError("no more tries")

    def _jitter(self) -> float:
        return 1.0 * (2.0 * self.rng.random() - 1.0)

    def acquire(self) -> Wait:
        """``acquire``: DISCOVER/REQUEST until an ACK (the link set up first)."""
        c = self.new_client()
        try:
            if not self.was_up:
                self.log(f'Link "{self.ifname}" down. Attempting to set up')
                dev = self.ns.links.get(self.ifindex)
                if dev is None:
                    raise LeaseError("Link not found")
                self.ns.kernel.set_up(dev, True)
            opts = self.all_options()

            def once() -> Wait:
                ok, ack = yield from dhcp_request(c, opts)
                if not ok:
                    raise LeaseError("DHCP server NACK'd own offer")
                return ack

            pkt = yield from self.backoff_retry(once)
        finally:
            c.close()
        self.commit(pkt)

    def commit(self, ack: DHCP) -> None:
        """``commit``: T1, T2 and expiry from the ACK (RFC 2131 defaults 50 %/85 %)."""
        opts = o.parse_options(ack)
        try:
            lease = o.lease_time(opts)
        except CniError as e:
            raise LeaseError(e.msg) from None
        try:
            rebind = o.rebinding_time(opts)
            if rebind > lease:
                raise CniError("")
        except CniError:
            rebind = lease * 85 // 100
        try:
            renew = o.renewal_time(opts)
            if renew > rebind:
                raise CniError("")
        except CniError:
            renew = lease // 2
        now = self.env.now
        self.expire_time = now + lease
        self.renewal_time = now + renew
        self.rebinding_time = now + rebind
        self.ack, self.opts = ack, opts

    def renew(self) -> Wait:
        """``renew``: a REQUEST for the leased address, with the client id only."""
        assert self.ack is not None
        c = self.new_client()
        ack, opts = self.ack, self.options_with_client_id()
        try:

            def once() -> Wait:
                ok, reply = yield from dhcp_renew(c, ack, opts)
                if not ok:
                    raise LeaseError("DHCP server did not renew lease")
                return reply

            pkt = yield from self.backoff_retry(once)
        finally:
            c.close()
        with contextlib.suppress(LeaseError):  # Go ignores commit's error here
            self.commit(pkt)

    def release(self) -> None:
        """``release``: one DHCPRELEASE."""
        assert self.ack is not None
        self.log(f"{self.client_id}: releasing lease")
        c = self.new_client()
        try:
            dhcp_release(c, self.ack, self.options_with_client_id())
        except ClientError:
            raise LeaseError("failed to send DHCPRELEASE") from None
        finally:
            c.close()

    # --- maintenance -------------------------------------------------------------------------

    def maintain(self) -> Wait:
        """``maintain``: the lease's life after the first ACK."""
        state = BOUND
        try:
            while True:
                sleep = 0.0
                if state == BOUND:
                    sleep = self.renewal_time - self.env.now
                    if sleep <= 0:
                        self.log(f"{self.client_id}: renewing lease")
                        state = RENEWING
                        continue
                elif state == RENEWING:
                    try:
                        yield from self.renew()
                    except LeaseError as e:
                        self.log(f"{self.client_id}: {e}")
                        if self.env.now > self.rebinding_time:
                            self.log(f"{self.client_id}: renawal time expired, rebinding")
                            state = REBINDING
                    else:
                        self.log(f"{self.client_id}: lease renewed, expiration is "
                                 f"{self.time_text(self.expire_time)}")  # fmt: skip
                        state = BOUND
                else:
                    try:
                        yield from self.acquire()
                    except LeaseError as e:
                        self.log(f"{self.client_id}: {e}")
                        if self.env.now > self.expire_time:
                            self.log(f"{self.client_id}: lease expired, bringing interface DOWN")
                            self.down_iface()
                            return
                    else:
                        self.log(f"{self.client_id}: lease rebound, expiration is "
                                 f"{self.time_text(self.expire_time)}")  # fmt: skip
                        state = BOUND
                if not self.stopping:
                    yield self.env.any_of([self.env.timeout(sleep), self.stop_event])
                if self.stopping:
                    try:
                        self.release()
                    except LeaseError as e:
                        self.log(f"{self.client_id}: failed to release DHCP lease: {e}")
                    return
        finally:
            self.done.succeed()

    def down_iface(self) -> None:
        dev = self.ns.links.get(self.ifindex)
        if dev is None:
            self.log(f"{self.client_id}: failed to bring {self.ifname} interface DOWN: "
                     "Link not found")  # fmt: skip
            return
        self.ns.kernel.set_up(dev, False)

    def stop(self) -> Wait:
        """``Stop``: signal the maintenance and wait until it has ended."""
        if not self.stopping:
            self.stopping = True
            self.stop_event.succeed()
        if not self.done.triggered:
            yield self.done

    # --- the result --------------------------------------------------------------------------

    def ip_net(self) -> IPNet:
        """``IPNet``: yiaddr with the subnet mask option."""
        mask = o.parse_subnet_mask(self.opts)
        if mask is None:
            raise LeaseError("DHCP option Subnet Mask not found in DHCPACK")
        assert self.ack is not None
        try:
            net = ipaddress.IPv4Network(f"0.0.0.0/{ipaddress.IPv4Address(mask)}")
        except ValueError:
            raise LeaseError(f"netsim: a non-contiguous subnet mask {mask.hex()} "
                             "is not modelled yet") from None  # fmt: skip
        return ipaddress.IPv4Interface(f"{self.ack.yiaddr}/{net.prefixlen}")

    def gateway(self) -> IP | None:
        return o.parse_router(self.opts)

    def routes(self) -> list[Route]:
        """``Routes``: option 121 if any, else option 33 and a default via the router."""
        cidr = o.parse_cidr_routes(self.opts)
        if cidr:
            return cidr
        routes = o.parse_routes(self.opts)
        gw = self.gateway()
        if gw is not None:
            routes.append(Route(ipaddress.IPv4Interface("0.0.0.0/0"), gw))
        return routes

    def log(self, text: str) -> None:
        self.logger.print(text)

    def time_text(self, when: float) -> str:
        return self.logger.time(when)
