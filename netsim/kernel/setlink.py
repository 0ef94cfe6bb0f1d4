"""``ip link set``: the changes ``do_setlink()`` (``net/core/rtnetlink.c``)
makes to a device (namespace, master, up/down, promisc, allmulticast, MTU,
MAC, alias, name), and :func:`rtnl`, the bracket every rtnetlink request runs
in: when it ends (``rtnl_unlock()``), the link watcher gets its turn.

Mixed into :class:`~netsim.kernel.kernel.Kernel`.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from netsim.addr import MacAddr
from netsim.errors import KernelError
from netsim.kernel.bridge.device import Bridge
from netsim.kernel.links.base import IFF_ALLMULTI, IFF_PROMISC, Link, NetdevEvent

if TYPE_CHECKING:
    from netsim.kernel.kernel import Kernel
    from netsim.kernel.linkwatch import LinkWatch
    from netsim.kernel.netns import Netns

__all__ = ["IFALIASZ", "SetLinkOps", "rtnl"]

#: ``IFALIASZ``: an alias is shorter than this.
IFALIASZ: Final = 256

F = TypeVar("F", bound=Callable[..., Any])


def rtnl(fn: F) -> F:
    """One rtnetlink request: when it returns (or fails), the link watcher gets its turn."""

    def request(self: Kernel, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        finally:
            self.linkwatch.end_of_request()

    request.__name__, request.__doc__ = fn.__name__, fn.__doc__
    return cast(F, request)


class SetLinkOps:
    """The ``RTM_SETLINK`` operations of :class:`~netsim.kernel.kernel.Kernel`."""

    linkwatch: LinkWatch
    notify: Callable[[NetdevEvent, Link], None]

    @rtnl
    def set_netns(self, dev: Link, target: Netns) -> None:
        """``dev_change_net_namespace()``: arrives down, unenslaved, ifindex kept if free."""
        ns = dev.netns
        assert ns is not None
        if dev.netns_local:
            raise KernelError(errno.EINVAL, "The interface netns is immutable")
        if target is ns:
            return
        if dev.ifname in target:
            raise KernelError(
                errno.EEXIST, "An interface with the same name exists in the target netns"
            )
        dev.close()
        self.linkwatch.sync_dev(dev)  # a pending event is handled where it arose
        self.notify(NetdevEvent.UNREGISTER, dev)
        ns.detach(dev)
        dev.qdisc = "noop"  # dev_shutdown()
        ns.peernet_id(target)  # dev_change_net_namespace(): the RTM_DELLINK's target nsid
        target.attach(dev, keep_ifindex=dev.ifindex)
        self.notify(NetdevEvent.REGISTER, dev)
        peer = getattr(dev, "peer", None)  # the RTM_NEWLINK names the peer's namespace
        if peer is not None and peer.netns is not None and peer.netns is not target:
            target.peernet_id(peer.netns)

    @rtnl
    def set_master(self, dev: Link, master: Link | None) -> None:
        """``do_set_master()``: leave the old master, then join the new one."""
        if master is dev.master:
            return
        if dev.master is not None:
            old = dev.master
            assert isinstance(old, Bridge)
            old.del_if(dev)
        if master is None:
            return
        if not isinstance(master, Bridge):
            raise KernelError(errno.EOPNOTSUPP)
        master.add_if(dev)

    @rtnl
    def set_up(self, dev: Link, up: bool) -> None:
        """``ip link set DEV up|down`` (``dev_change_flags``)."""
        if up:
            dev.open()
        else:
            dev.close()

    @rtnl
    def set_promisc(self, dev: Link, on: bool) -> None:
        """``ip link set DEV promisc on|off``: ``__dev_change_flags()`` keeps the
        user's wish in ``gflags`` (what ``dev_get_flags`` reports as PROMISC) and
        moves ``promiscuity`` by one (a bridge port's own count stays)."""
        if on != bool(dev.flags & IFF_PROMISC):
            dev.flags ^= IFF_PROMISC
            dev.promiscuity += 1 if on else -1

    @rtnl
    def set_allmulti(self, dev: Link, on: bool) -> None:
        """``ip link set DEV allmulticast on|off``: as promisc, ``gflags`` and the
        ``allmulti`` count (``__dev_set_allmulti``)."""
        if on != bool(dev.flags & IFF_ALLMULTI):
            dev.flags ^= IFF_ALLMULTI
            dev.allmulti += 1 if on else -1

    @rtnl
    def set_mtu(self, dev: Link, mtu: int) -> None:
        dev.set_mtu(mtu)

    @rtnl
    def set_address(self, dev: Link, address: MacAddr) -> None:
        dev.set_address(address)

    @rtnl
    def set_alias(self, dev: Link, alias: str) -> None:
        """``dev_set_alias()`` (``IFLA_IFALIAS``): an empty alias removes it; the
        attribute's policy allows ``IFALIASZ - 1`` bytes."""
        if len(alias.encode()) >= IFALIASZ:  # validate_nla(): NLA_STRING longer than .len
            raise KernelError(errno.ERANGE, "Attribute failed policy validation")
        dev.ifalias = alias

    @rtnl
    def set_name(self, dev: Link, name: str) -> None:
        ns = dev.netns
        assert ns is not None
        ns.rename(dev, name)
        self.notify(NetdevEvent.CHANGENAME, dev)
