"""VXLAN sockets and receive (``vxlan_sock_add``, ``vxlan_rcv`` in ``vxlan_core.c``).

A VXLAN device that is up holds a UDP socket bound to ``0.0.0.0:dstport``
in its namespace; devices with the same port share it and are told apart by
VNI.  The socket is an encapsulation socket: a datagram to its port goes to
:func:`vxlan_rcv` instead of a receive queue.

* A port another (non-VXLAN) socket holds gives ``EADDRINUSE`` at ``up``.
* With every device on the port down there is no socket, so the UDP layer
  answers with ICMP *port unreachable* as for any closed port.
* An unknown VNI, a header without the I flag, or an inner frame from the
  device's own MAC are dropped silently.
* With ``learning`` the inner source MAC is learned behind the outer source
  IP (:meth:`~netsim.kernel.links.vxlan_fdb.VxlanFdb.snoop`); a MAC that
  would move away from a static entry drops the packet.
* The inner frame is then received on the VXLAN device (``gro_cells_receive``).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, final

from netsim.errors import KernelError
from netsim.kernel.links.vxlan import Vxlan
from netsim.packet import VXLAN, DecodeError
from netsim.trace import DECAPSULATED

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns
    from netsim.kernel.skb import Skb

__all__ = ["VxlanSock", "find_vni", "vxlan_sock_add", "vxlan_sock_release"]


@final
@dataclass(eq=False)
class VxlanSock:
    """``struct vxlan_sock``: one UDP port's VTEPs by VNI."""

    port: int
    devices: dict[int, Vxlan] = field(default_factory=dict)

    def encap_rcv(self, skb: Skb, dev: Link) -> None:
        """``vxlan_rcv()``."""
        ip: Any = skb.frame
        udp = ip.payload
        payload = udp.payload
        if isinstance(payload, bytes):
            try:
                payload = VXLAN.decode(payload)
            except DecodeError as e:
                dev.drop(skb, f"bad VXLAN header: {e}")
                return
        vx = self.devices.get(payload.vni)
        if vx is None:
            dev.drop(skb, f"VXLAN vni {payload.vni}: no such VTEP on port {self.port}")
            return
        inner = payload.payload
        if inner.src == vx.address:
            dev.drop(skb, "VXLAN frame from our own MAC")
            return
        if vx.cfg.learning and vx.fdb.snoop(inner.src, int(ip.src)):
            dev.drop(skb, f"{inner.src} would move away from a static VXLAN FDB entry")
            return
        ns = vx.netns
        assert ns is not None
        if skb.steps is not None:  # the detail only when it is recorded
            skb.note(ns.env.now, ns.name, vx.ifname, DECAPSULATED,
                     f"vni {payload.vni} from {ip.src}:{udp.sport}")  # fmt: skip
        skb.frame, skb.len, skb.dev = inner, inner.wire_len, vx
        vx.receive(skb)


def _socket(ns: Netns, port: int) -> Any:
    return ns.inet.sockets.udp.get((0, port))


def vxlan_sock_add(vx: Vxlan) -> None:
    """``vxlan_sock_add()``: share the port's VXLAN socket, or bind a new one."""
    ns = vx.netns
    assert ns is not None
    port = vx.cfg.dst_port
    sock = _socket(ns, port)
    if sock is not None and isinstance(sock.encap, VxlanSock):
        vs: VxlanSock = sock.encap
    else:
        if any(p == port for _, p in ns.inet.sockets.udp):
            raise KernelError(errno.EADDRINUSE)
        sock = ns.inet.sockets.udp_socket(0, port)
        vs = VxlanSock(port)
        sock.encap = vs
    vs.devices[vx.cfg.vni] = vx
    vx.sock = vs


def vxlan_sock_release(vx: Vxlan) -> None:
    """``vxlan_sock_release()``: the last device closes the socket."""
    vs = vx.sock
    ns = vx.netns
    vx.sock = None
    if not isinstance(vs, VxlanSock) or ns is None:
        return
    if vs.devices.get(vx.cfg.vni) is vx:
        del vs.devices[vx.cfg.vni]
    if not vs.devices:
        sock = _socket(ns, vs.port)
        if sock is not None:
            sock.close()


def find_vni(ns: Netns, vni: int, port: int) -> Vxlan | None:
    """``vxlan_find_vni()``: the running VTEP for (VNI, port) in ``ns``."""
    sock = _socket(ns, port)
    if sock is None or not isinstance(sock.encap, VxlanSock):
        return None
    return sock.encap.devices.get(vni)
