"""The bridge data path: ``br_input.c`` and ``br_forward.c``.

Receive on a port (``br_handle_frame`` → ``br_handle_frame_finish``):

* a frame with an invalid source MAC (multicast or zero) is dropped;
* IEEE link-local groups ``01:80:c2:00:00:0X`` are not bridged unless STP is
  off and X is 0, or ``group_fwd_mask`` allows X; otherwise they go up the
  port's own stack;
* a port that is not learning/forwarding drops everything;
* the source is learned (if the port learns); then a broadcast or multicast
  frame floods and goes up ``br0``; a unicast frame to a *local* FDB entry
  goes up ``br0``; to another known MAC it is forwarded out that one port;
  to an unknown MAC it floods.

Sending out of a port (``should_deliver``): the port must be forwarding and,
unless it is in hairpin mode, must not be the port the frame came in on.
Flooding honours each port's ``flood``/``bcast_flood``/``mcast_flood``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from netsim.addr import MacAddr
from netsim.kernel.bridge.port import BridgePort, PortState
from netsim.kernel.links.base import ETH_HLEN, VLAN_HLEN
from netsim.kernel.links.rx import eth_type_trans
from netsim.kernel.netfilter.bridge import br_nf_forward, br_nf_pre_routing
from netsim.kernel.skb import PACKET_HOST, Skb
from netsim.trace import BRIDGED, FLOODED, FORWARDED, RECEIVED

if TYPE_CHECKING:
    from netsim.kernel.bridge.device import Bridge

__all__ = ["br_dev_xmit", "br_handle_frame"]

_LINK_LOCAL_MASK: Final = 0xFFFFFFFFFFF0
_LINK_LOCAL: Final = 0x0180C2000000
_FORWARDING: Final = PortState.FORWARDING
_LEARNING: Final = PortState.LEARNING
_MAX_HLEN: Final = ETH_HLEN + VLAN_HLEN  # is_skb_forwardable()


def br_handle_frame(p: BridgePort, skb: Skb) -> None:
    """``br_handle_frame()``: a frame arrived on bridge port ``p``.

    The port's RECEIVED step is recorded here: together with the FORWARDED
    step as one record on the known-unicast path (expanded into both when
    the trace is built), on its own on every other path.
    """
    frame = skb.frame
    src = frame.src
    dst = frame.dst
    br = p.br
    state = p.state
    if (
        src >> 40 & 1
        or src == 0
        or dst >> 40 & 1
        or (state != _FORWARDING and state != _LEARNING)  # noqa: PLR1714 (hot path)
        or not p.learning
    ):
        _note_rx(p, skb)
        _slow_path(p, skb)
        return
    now = br.env.now
    entries = br.fdb.entries
    e = entries.get(src)  # br_fdb_update(), inlined
    if e is None:
        br.fdb.learn(p, MacAddr(src), now)
    elif not e.is_local:
        e.updated = now
        e.dst = p
    e = entries.get(dst)
    if state == _FORWARDING and e is not None and not e.is_local:
        to = e.dst
        assert to is not None
        if (to is not p or to.hairpin) and to.state == _FORWARDING:
            e.used = now
            out = to.dev
            steps = skb.steps
            if steps is not None:
                steps.append(
                    (skb.path, now, br.netns_name, p.dev.ifname, BRIDGED, out.ifname, br.ifname)
                )
                skb.path = len(steps) - 1
            if skb.len > out.mtu + _MAX_HLEN:
                out.drop(skb, f"frame of {skb.len} bytes exceeds {out.ifname} MTU {out.mtu}")
            elif not br.netns.inet.nf_on or br_nf_forward(br, skb, out):  # type: ignore[union-attr]
                if out.sched is None:  # dev_queue_xmit() without a qdisc, inlined: hot path
                    out.xmit(skb)
                else:
                    out.queue_xmit(skb)
            return
    _note_rx(p, skb)
    eth_type_trans(p.dev, skb)
    if dst == br.address:
        skb.pkt_type = PACKET_HOST
    _after_learning(p, skb, now)


def _note_rx(p: BridgePort, skb: Skb) -> None:
    skb.note(p.br.env.now, p.br.netns_name, p.dev.ifname, RECEIVED)


def _slow_path(p: BridgePort, skb: Skb) -> None:
    """The rest of ``br_handle_frame()``: checks, link-local groups, learning."""
    eth_type_trans(p.dev, skb)
    frame = skb.frame
    src, dst, br = frame.src, frame.dst, p.br
    if src >> 40 & 1 or src == 0:
        p.dev.drop(skb, "invalid source MAC")
        return
    if dst & _LINK_LOCAL_MASK == _LINK_LOCAL and _link_local(br, p, skb, src, dst):
        return
    state = p.state
    if state not in (_FORWARDING, _LEARNING):
        p.dev.drop(skb, f"bridge port {state}")
        return
    if dst == br.address:
        skb.pkt_type = PACKET_HOST
    now = br.env.now
    if p.learning:
        e = br.fdb.entries.get(src)
        if e is None:
            br.fdb.learn(p, MacAddr(src), now)
        elif not e.is_local:
            e.updated = now
            e.dst = p
    _after_learning(p, skb, now)


def _after_learning(p: BridgePort, skb: Skb, now: float) -> None:
    """``br_handle_frame_finish()`` after learning: flood, forward or pass up."""
    br, dst = p.br, skb.frame.dst
    if p.state == _LEARNING:
        p.dev.drop(skb, "bridge port learning")
        return
    if dst >> 40 & 1:
        _flood(br, skb, p, broadcast=dst == 0xFFFFFFFFFFFF, multicast=True)
        _pass_frame_up(br, skb)
        return
    e = br.fdb.entries.get(dst)
    if e is None:
        _flood(br, skb, p, broadcast=False, multicast=False)
        return
    if e.is_local:
        _pass_frame_up(br, skb)
        return
    e.used = now
    to = e.dst
    assert to is not None
    if (to is not p or to.hairpin) and to.state == _FORWARDING:
        skb.note(now, br.netns_name, br.ifname, FORWARDED, to.dev.ifname)
        if not br.netns.inet.nf_on or br_nf_forward(br, skb, to.dev):  # type: ignore[union-attr]
            _push_xmit(to, skb)
    elif to is p:
        p.dev.drop(skb, f"destination is behind the ingress port {p.dev.ifname}")
    else:
        to.dev.drop(skb, f"egress port {to.dev.ifname} is {to.state}")


def _link_local(br: Bridge, p: BridgePort, skb: Skb, src: int, dst: int) -> bool:
    """IEEE 802.1D groups: True when the frame went up the port's own stack."""
    group = dst & 0xF
    if (group == 0 and br.stp_state == 0) or (br.group_fwd_mask >> group) & 1:
        return False  # bridged like any multicast
    if p.learning and p.state in (_FORWARDING, _LEARNING):
        e = br.fdb.entries.get(src)
        if e is None:
            br.fdb.learn(p, MacAddr(src), br.env.now)
        elif not e.is_local:
            e.updated, e.dst = br.env.now, p
    ns = p.dev.netns
    assert ns is not None
    ns.deliver(skb, p.dev)  # RX_HANDLER_PASS
    return True


def br_dev_xmit(br: Bridge, skb: Skb) -> None:
    """``br_dev_xmit()``: the bridge's own stack sends a frame out of the bridge."""
    dst = skb.frame.dst
    if dst >> 40 & 1:
        _flood(br, skb, None, broadcast=dst == 0xFFFFFFFFFFFF, multicast=True)
        return
    e = br.fdb.entries.get(dst)
    if e is None:
        _flood(br, skb, None, broadcast=False, multicast=False)
    elif e.dst is None:
        br.drop(skb, "destination is the bridge itself")
    elif e.dst.state == _FORWARDING:
        e.used = br.env.now
        skb.note(br.env.now, br.netns_name, br.ifname, FORWARDED, e.dst.dev.ifname)
        _push_xmit(e.dst, skb)
    else:
        br.drop(skb, f"egress port {e.dst.dev.ifname} is {e.dst.state}")


def _flood(
    br: Bridge, skb: Skb, ingress: BridgePort | None, *, broadcast: bool, multicast: bool
) -> None:
    """``br_flood()``: a copy out of every port that should get one."""
    targets = []
    for q in br.port_list:
        if broadcast:
            if not q.bcast_flood:
                continue
        elif multicast:
            if not q.mcast_flood:
                continue
        elif not q.flood:
            continue
        if (q is not ingress or q.hairpin) and q.state == _FORWARDING:
            targets.append(q)
    if not targets:
        if not multicast:  # broadcast/multicast also go up the bridge: not a drop
            br.drop(skb, "flood: no other forwarding port")
        return
    if skb.steps is not None:
        skb.note(br.env.now, br.netns_name, br.ifname, FLOODED,
                 tuple(q.dev.ifname for q in targets))  # fmt: skip
    for q in targets[:-1]:
        _push_xmit(q, skb.clone())
    _push_xmit(targets[-1], skb.clone() if multicast else skb)


def _push_xmit(to: BridgePort, skb: Skb) -> None:
    """``br_dev_queue_push_xmit()``: MTU check, then the port device transmits."""
    dev = to.dev
    if skb.len > dev.mtu + _MAX_HLEN:
        dev.drop(skb, f"frame of {skb.len} bytes exceeds {dev.ifname} MTU {dev.mtu}")
        return
    if dev.sched is None:  # dev_queue_xmit() without a qdisc, inlined: hot path
        dev.xmit(skb)
    else:
        dev.queue_xmit(skb)


def _pass_frame_up(br: Bridge, skb: Skb) -> None:
    """``br_pass_frame_up()``: deliver to the bridge device's own stack."""
    ns = br.netns
    assert ns is not None
    if not br.up:
        br.drop(skb, "bridge down")
        return
    if ns.inet.nf_on and not br_nf_pre_routing(br, skb):
        return
    ns.deliver(skb, br)
