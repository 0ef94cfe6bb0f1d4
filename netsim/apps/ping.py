"""``ping`` (iputils 20221126, as Debian 12 ships it), over an ICMP echo socket.

It prints what the real ``ping`` prints, line for line: the header, one line
per reply (``64 bytes from 10.1.0.2: icmp_seq=1 ttl=64 time=0.040 ms``) or per
ICMP error (``From 10.1.0.254 icmp_seq=1 Time to live exceeded``), and the
statistics.  Route errors at ``connect()`` end it at once, as
``ping: connect: Network is unreachable`` (exit status 2); ``EACCES`` (a
broadcast destination without ``-b``, or a ``prohibit`` route) is iputils'
"Do you want to ping broadcast?" line.
"""

from __future__ import annotations

import errno
import os
import struct
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from netsim.addr import ip4, ip4_str
from netsim.errors import KernelError
from netsim.kernel.ipv4.consts import RTN_BROADCAST
from netsim.kernel.ipv4.route import ip_route_output
from netsim.kernel.ipv4.sockets import SockEvent
from netsim.packet import ICMP, IPv4, ipv4_addr

if TYPE_CHECKING:
    from netaddr import IPAddress

    from netsim.kernel.netns import Netns
    from netsim.world import World

__all__ = ["PingResult", "ping"]

#: iputils: how long to wait for replies after the last request, without ``-W``.
MAXWAIT: Final = 10.0


#: iputils' fill pattern: the first 16 bytes (its ``struct timeval``) zero, then
#: each byte its offset (``for (i = sizeof(struct timeval); i < datalen; ++i)``).
def _fill(n: int) -> bytes:
    return bytes(16) + bytes(i & 0xFF for i in range(16, n))


_PATTERN: Final = _fill(65536)

_UNREACH: Final = {
    0: "Destination Net Unreachable",
    1: "Destination Host Unreachable",
    2: "Destination Protocol Unreachable",
    3: "Destination Port Unreachable",
    9: "Destination Net Prohibited",
    10: "Destination Host Prohibited",
    13: "Packet filtered",
}


@dataclass
class PingResult:
    """What a ping run did, and the text it printed."""

    dst: str
    transmitted: int = 0
    received: int = 0
    duplicates: int = 0
    errors: int = 0
    rtts: list[float] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    exit_code: int = 0

    @property
    def output(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def __str__(self) -> str:
        return self.output


def _ms(us: int) -> str:
    """iputils' ``time=`` formatting of a round trip in microseconds."""
    if us >= 100000 - 50:
        return f"{(us + 500) // 1000}"
    if us >= 10000 - 5:
        return f"{(us + 50) // 1000}.{((us + 50) % 1000) // 100}"
    if us >= 1000:
        return f"{(us + 5) // 1000}.{((us + 5) % 1000) // 10:02d}"
    return f"{us // 1000}.{us % 1000:03d}"


def _error_text(ev: SockEvent) -> str:
    if ev.icmp_type == 3:
        if ev.icmp_code == 4:
            return f"Frag needed and DF set (mtu = {ev.info & 0xFFFF})"
        return _UNREACH.get(ev.icmp_code, f"Dest Unreachable, Bad Code: {ev.icmp_code}")
    if ev.icmp_type == 11:
        return "Time to live exceeded" if ev.icmp_code == 0 else "Frag reassembly time exceeded"
    return f"Bad ICMP type: {ev.icmp_type}"


class _Pinger:
    """One run of ``ping``: sends on a timer, collects replies and errors."""

    def __init__(self, world: World, ns: Netns, dst: str, daddr: int, count: int, size: int,
                 ttl: int, broadcast: bool = False):  # fmt: skip
        self.world = world
        self.ns = ns
        self.stack = ns.inet
        self.res = PingResult(dst)
        self.daddr = daddr
        self._dst_ip = ipv4_addr(daddr)
        self._src_ip: tuple[int, IPAddress] | None = None
        self.count, self.size, self.ttl = count, size, ttl
        self.multicast = broadcast  # iputils: -b hides "(DUP!)"
        self.interval = 1.0
        self.sent: dict[int, float] = {}
        self.seen: set[int] = set()
        self.start = world.now
        self.last_sent = self.start
        self.pipe = 0
        self.done = world.env.event()
        self.sock = self.stack.sockets.ping_socket()
        self.sock.on_event = self.on_event
        n = max(size, 16)
        self.payload = _PATTERN[:n] if n <= len(_PATTERN) else _fill(n)

    def on_event(self, ev: SockEvent) -> None:
        res, msg = self.res, ev.data
        if ev.kind == "data" and isinstance(msg, ICMP) and msg.seq in self.sent:
            # gather_statistics(): a repeat counts as a duplicate, in the rtt figures too
            dup = msg.seq in self.seen
            self.seen.add(msg.seq)
            self._acknowledge(msg.seq)
            us = round((ev.time - self.sent[msg.seq]) * 1e6)
            res.rtts.append(us / 1000)
            if dup:
                res.duplicates += 1
            else:
                res.received += 1
            mark = " (DUP!)" if dup and not self.multicast else ""
            res.lines.append(
                f"{msg.wire_len} bytes from {ip4_str(ev.src)}: icmp_seq={msg.seq} "
                f"ttl={ev.ttl} time={_ms(us)} ms{mark}"
            )
        elif ev.kind == "error":
            seq = ev.seq
            self._acknowledge(seq)
            res.errors += 1
            res.lines.append(f"From {ip4_str(ev.src)} icmp_seq={seq} {_error_text(ev)}")
        done = res.received + res.errors >= self.count and res.transmitted >= self.count
        if done and not self.done.triggered:
            self.done.succeed()

    def _finish(self) -> None:
        if not self.done.triggered:
            self.done.succeed()

    def _acknowledge(self, seq: int) -> None:
        """iputils ``acknowledge()``: ``pipe`` is the most requests ever in flight."""
        if seq:
            self.pipe = max(self.pipe, self.res.transmitted - seq + 1)

    def send(self, seq: int, saddr: int, dev: Any, oif: Any, pmtudisc: str) -> None:
        res, stack = self.res, self.stack
        icmp = ICMP.echo_request(self.sock.ident, seq, self.payload[: self.size])
        src = self._src_ip
        if src is None or src[0] != saddr:
            src = self._src_ip = (saddr, ipv4_addr(saddr))
        pkt = IPv4(src[1], self._dst_ip, 1, icmp, ttl=self.ttl, flags=0b010,
                   ident=stack.next_id())  # fmt: skip
        self.sent[seq] = self.last_sent = self.world.now
        res.transmitted += 1
        try:
            stack.output(pkt, oif=oif, pmtudisc=pmtudisc)
        except KernelError as e:
            if e.errno == errno.EMSGSIZE:
                mtu = stack.path_mtu(self.daddr, dev)
                res.lines.append(f"ping: local error: message too long, mtu={mtu}")
                res.errors += 1
                if res.received + res.errors >= self.count and res.transmitted >= self.count:
                    # pinger() "pretends it sent" and sleeps one interval before the
                    # main loop sees that every probe is accounted for
                    self.world.engine.timer(self.interval, self._finish)
            else:
                res.lines.append(f"ping: sendmsg: {os.strerror(e.errno)}")


_BCAST_QUESTION: Final = (
    "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules"
)
_BCAST_WARNING: Final = "WARNING: pinging broadcast address"


def ping(
    world: World,
    dst: str,
    *,
    netns: str = "init_net",
    count: int = 1,
    interval: float = 1.0,
    timeout: float | None = None,
    deadline: float | None = None,
    ttl: int = 64,
    size: int = 56,
    interface: str | None = None,
    pmtudisc: str = "want",
    broadcast: bool = False,
    preload: int = 1,
) -> PingResult:
    """``ping [-b] [-c COUNT] [-i INTERVAL] [-l PRELOAD] [-W TIMEOUT] [-w DEADLINE] [-t TTL]
    [-s SIZE] [-I IFACE] [-M do|want|dont] DST``, run to completion in simulated time.
    ``preload`` requests go out at once (iputils' initial tokens), the rest one per
    ``interval``."""
    ns = world.netns(netns)
    oif = ns.dev(interface) if interface else None
    warn = []
    daddr = ip4(dst)
    try:
        rt = ip_route_output(ns, daddr, oif=oif)
        if rt.route.type == RTN_BROADCAST:  # ip_route_connect(): no SO_BROADCAST yet
            if not broadcast:
                raise KernelError(errno.EACCES)
            warn = [_BCAST_WARNING]
    except KernelError as e:
        if e.errno != errno.EACCES:
            return PingResult(dst, lines=[f"ping: connect: {os.strerror(e.errno)}"], exit_code=2)
        if not broadcast:
            return PingResult(dst, lines=[_BCAST_QUESTION], exit_code=2)
        lines = [_BCAST_WARNING, f"ping: connect: {os.strerror(e.errno)}"]
        return PingResult(dst, lines=lines, exit_code=2)
    p = _Pinger(world, ns, dst, daddr, count, size, ttl, broadcast)
    p.interval = interval
    p.res.lines.extend(warn)
    p.res.lines.append(f"PING {dst} ({dst}) {size}({size + 28}) bytes of data.")
    env = world.env

    def run() -> Generator[Any, Any, None]:
        # iputils pinger(): with a deadline it goes on sending past COUNT until COUNT
        # replies are in; without one it stops at COUNT
        seq = 0
        while seq < count or (deadline is not None and not p.done.triggered):
            seq += 1
            if deadline is not None and world.now - p.start >= deadline:
                break
            p.send(seq, rt.saddr, rt.dev, oif, pmtudisc)
            if seq >= preload and (seq < count or deadline is not None):
                yield env.any_of([p.done, env.timeout(interval)])
                if p.done.triggered:
                    break
        wait = timeout if timeout is not None else MAXWAIT
        if deadline is not None:
            wait = max(0.0, min(wait, p.start + deadline - world.now))
        if not p.done.triggered:
            yield env.any_of([p.done, env.timeout(wait)])

    env.run(until=env.process(run()))
    p.sock.close()
    _summary(p.res, p.last_sent - p.start, p.pipe)
    return p.res


def _summary(res: PingResult, elapsed_s: float, pipe: int) -> None:
    """iputils ``finish()``: the statistics, ``time`` up to the last request sent."""
    lost = (res.transmitted - res.received) * 100.0 / res.transmitted if res.transmitted else 0.0
    loss = f"{struct.unpack('f', struct.pack('f', lost))[0]:g}"  # printf("%g", (float)...)
    line = f"{res.transmitted} packets transmitted, {res.received} received, "
    if res.duplicates:
        line += f"+{res.duplicates} duplicates, "
    if res.errors:
        line += f"+{res.errors} errors, "
    line += f"{loss}% packet loss, time {round(elapsed_s * 1000)}ms"
    res.lines += ["", f"--- {res.dst} ping statistics ---", line]
    tail = ""
    if res.rtts:
        us = [round(r * 1000) for r in res.rtts]
        avg = sum(us) / len(us)
        mdev = max(sum(u * u for u in us) / len(us) - avg * avg, 0.0) ** 0.5
        vals = [min(us), round(avg), max(us), round(mdev)]
        tail = "rtt min/avg/max/mdev = " + "/".join(f"{v // 1000}.{v % 1000:03d}" for v in vals)
        tail += " ms"
    if pipe > 1:
        tail += (", " if tail else "") + f"pipe {pipe}"
    res.lines.append(tail)
    res.exit_code = 0 if res.received else 1
