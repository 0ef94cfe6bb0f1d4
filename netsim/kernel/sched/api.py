"""The tc side of rtnetlink: ``RTM_NEWQDISC``/``RTM_DELQDISC``/``RTM_GETQDISC``
(``tc_modify_qdisc``, ``tc_get_qdisc``, ``tc_dump_qdisc`` of ``sch_api.c``)
with the kernel's errnos and extack messages; the filter requests
(``cls_api.c``) are in :mod:`netsim.kernel.sched.cls_api`, re-exported here.

Requests and dumps are plain data in the shape of the netlink messages
(``tcmsg`` fields, the attributes by name, ``TCA_OPTIONS`` raw), which
:mod:`netsim.iproute.render_tc` prints as ``tc`` does.

Modelled: qdiscs ``tbf`` (root), ``ingress``, the default ``noqueue`` and
``pfifo_fast``; u32 filters with match-all keys and mirred actions on the
ingress qdisc.  Anything else is refused with ``netsim: ... is not modelled yet``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError, NetsimError
from netsim.kernel.links.base import NetdevEvent
from netsim.kernel.sched.cls_api import filter_del, filter_dump, filter_new
from netsim.kernel.sched.ingress import Ingress
from netsim.kernel.sched.qdisc import TC_H_INGRESS, TC_H_ROOT, PfifoFast, Qdisc, tc_h_maj, tc_h_min
from netsim.kernel.sched.tbf import Tbf

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = [
    "NLM_F_CREATE",
    "NLM_F_EXCL",
    "NLM_F_REPLACE",
    "filter_del",
    "filter_dump",
    "filter_new",
    "qdisc_del",
    "qdisc_dump",
    "qdisc_modify",
    "tc_netdev_event",
]

NLM_F_REPLACE: Final = 0x100
NLM_F_EXCL: Final = 0x200
NLM_F_CREATE: Final = 0x400
#: Qdisc kinds the kernel has that the model does not.
_KNOWN_KINDS: Final = frozenset({
    "pfifo", "bfifo", "prio", "htb", "hfsc", "cbq", "sfq", "red", "gred", "fq", "fq_codel",
    "codel", "netem", "drr", "qfq", "mq", "mqprio", "multiq", "clsact", "cake", "fq_pie",
    "pie", "choke", "sfb", "plug", "skbprio", "ets", "taprio", "cbs", "etf", "hhf", "noqueue",
})  # fmt: skip


def _err(code: int, extack: str | None = None) -> KernelError:
    return KernelError(code, extack)


# --- qdiscs ---------------------------------------------------------------------------------


def _root(dev: Link) -> Qdisc | None:
    """``dev->qdisc`` when it is one with a handle (a default one is ignored)."""
    q: Qdisc | None = dev.sched
    return q if q is not None and q.handle != 0 else None


def _lookup(dev: Link, handle: int) -> Qdisc | None:
    """``qdisc_lookup``: the root, its children, or the ingress qdisc."""
    root: Qdisc | None = dev.sched
    if root is not None:
        for q in [root, *root.children()]:
            if q.handle == handle and handle != 0:
                return q
    ing: Ingress | None = dev.ingress_q
    if ing is not None and ing.handle == handle:
        return ing
    return None


def _autohandle(dev: Link) -> int:
    """``qdisc_alloc_handle``: the kernel-wide counter from ``8001:``."""
    kernel: Any = dev.kernel
    h = int(getattr(kernel, "tc_autohandle", 0x80000000))
    for _ in range(0x8000):
        h += 0x10000
        if h == 0xFFFF0000:
            h = 0x80000000 + 0x10000
        if _lookup(dev, h) is None:
            kernel.tc_autohandle = h
            return h
    raise _err(errno.ENOSPC, "Maximum number of qdisc handles was exceeded")


def qdisc_modify(dev: Link, *, parent: int, handle: int, kind: str | None,
                 options: dict[str, Any] | None, flags: int) -> None:  # fmt: skip
    """``tc_modify_qdisc``: create, replace or change a qdisc."""
    q: Qdisc | None
    if parent == 0:
        if not handle:
            raise _err(errno.EINVAL, "Handle cannot be zero")
        q = _lookup(dev, handle)
        return _change(q, kind, options, flags)
    if parent == TC_H_ROOT:
        q = _root(dev)
    elif parent == TC_H_INGRESS:
        dev.ingress_queue = True  # dev_ingress_queue_create()
        q = dev.ingress_q
    else:
        if _lookup(dev, tc_h_maj(parent)) is None:
            raise _err(errno.ENOENT, "Failed to find specified qdisc")
        raise NetsimError("netsim: tc qdisc under a class (parent X:Y) is not modelled yet")
    if q is None or not handle or q.handle != handle:
        if handle:
            if q is not None and not flags & NLM_F_REPLACE:
                raise _err(errno.EEXIST, "NLM_F_REPLACE needed to override")
            if tc_h_min(handle):
                raise _err(errno.EINVAL, "Invalid minor handle")
            other = _lookup(dev, handle)
            if other is None:
                return _create_graft(dev, parent, handle, kind, options, flags)
            if flags & NLM_F_EXCL:
                raise _err(errno.EEXIST, "Exclusivity flag on, cannot override")
            raise NetsimError("netsim: tc qdisc regrafting an existing qdisc is not modelled yet")
        if q is None:
            return _create_graft(dev, parent, handle, kind, options, flags)
        if kind is not None and kind != q.kind and flags & NLM_F_CREATE:
            if flags & (NLM_F_REPLACE | NLM_F_EXCL):
                return _create_graft(dev, parent, handle, kind, options, flags)
        elif kind is not None and kind != q.kind and not flags & (NLM_F_REPLACE | NLM_F_EXCL):
            return _create_graft(dev, parent, handle, kind, options, flags, check_create=False)
    return _change(q, kind, options, flags)


def _change(q: Qdisc | None, kind: str | None, options: dict[str, Any] | None,
            flags: int) -> None:  # fmt: skip
    if q is None:
        raise _err(errno.ENOENT, "Specified qdisc not found")
    if flags & NLM_F_EXCL:
        raise _err(errno.EEXIST, "Exclusivity flag on, cannot modify")
    if kind is not None and kind != q.kind:
        raise _err(errno.EINVAL, "Invalid qdisc name")
    if options is not None:
        if not isinstance(q, Tbf):
            raise _err(errno.EINVAL, "Change operation not supported by specified qdisc")
        q.change(options)


def _create_graft(dev: Link, parent: int, handle: int, kind: str | None,
                  options: dict[str, Any] | None, flags: int, *,
                  check_create: bool = True) -> None:  # fmt: skip
    if check_create and not flags & NLM_F_CREATE:
        raise _err(errno.ENOENT, "Qdisc not found. To create specify NLM_F_CREATE flag")
    if parent == TC_H_INGRESS:
        if kind != "ingress":
            raise NetsimError(f"netsim: tc qdisc {kind} at ingress is not modelled yet")
        dev.ingress_q = Ingress(dev)
        return
    if kind == "tbf":
        if options is None:
            raise _err(errno.EINVAL)
        new: Qdisc = Tbf(dev, handle or _autohandle(dev), parent, options)
    elif kind in ("pfifo_fast", "ingress"):
        raise NetsimError(f"netsim: tc qdisc {kind} as root is not modelled yet")
    elif kind in _KNOWN_KINDS:
        raise NetsimError(f"netsim: tc qdisc {kind} is not modelled yet")
    else:
        raise _err(errno.ENOENT, "Specified qdisc kind is unknown")
    _graft_root(dev, new)


def _graft_root(dev: Link, new: Qdisc | None) -> None:
    """``qdisc_graft`` at the root: the old qdisc (and its queue) goes; with
    none, an up device gets its default again (``dev_activate``)."""
    old = dev.sched
    if old is not None:
        old.destroy()
    dev.sched = new
    if new is not None:
        dev.qdisc = new.kind
    elif dev.up:
        dev.qdisc = dev.default_qdisc()
        if dev.qdisc == "pfifo_fast":
            dev.sched = PfifoFast(dev)
    else:
        dev.qdisc = "noop"


def qdisc_del(dev: Link, *, parent: int, handle: int, kind: str | None = None) -> None:
    """``tc_get_qdisc`` for ``RTM_DELQDISC``."""
    if parent == 0:
        if _lookup(dev, handle) is None:
            raise _err(errno.ENOENT, "Failed to find qdisc with specified handle")
        raise _err(errno.EINVAL, "Classid cannot be zero")
    q: Qdisc | None
    if parent == TC_H_ROOT:
        q = dev.sched
        qkind = q.kind if q is not None else dev.qdisc  # noqueue/noop: handle 0
    elif tc_h_maj(parent) == tc_h_maj(TC_H_INGRESS):
        if not dev.ingress_queue:
            raise _err(errno.ENOENT, "Cannot find specified qdisc on specified device")
        q = dev.ingress_q
        qkind = "ingress" if q is not None else "noop"
    else:
        if _lookup(dev, tc_h_maj(parent)) is None:
            raise _err(errno.ENOENT, "Failed to find qdisc with specified classid")
        raise NetsimError("netsim: tc qdisc under a class (parent X:Y) is not modelled yet")
    qhandle = q.handle if q is not None else 0
    if handle and qhandle != handle:
        raise _err(errno.EINVAL, "Invalid handle")
    if kind is not None and kind != qkind:
        raise _err(errno.EINVAL, "Invalid qdisc name")
    if qhandle == 0:
        raise _err(errno.ENOENT, "Cannot delete qdisc with handle of zero")
    if isinstance(q, Ingress):
        _ingress_destroy(dev)
    else:
        _graft_root(dev, None)


def _ingress_destroy(dev: Link) -> None:
    ing = dev.ingress_q
    if ing is None:
        return
    ns = dev.netns
    for f in ing.filters:
        for a in f.actions:
            if ns is not None and a.refcnt <= 1:
                ns.tc_actions.pop(a.index, None)
    ing.destroy()
    dev.ingress_q = None


def _qdisc_msg(dev: Link, q: Qdisc | None, *, kind: str, handle: int, parent: int,
               refcnt: int) -> dict[str, Any]:  # fmt: skip
    msg: dict[str, Any] = {"ifindex": dev.ifindex, "handle": handle, "parent": parent,
                           "info": refcnt, "kind": kind}  # fmt: skip
    opts = q.options() if q is not None else None
    if opts is not None:
        msg["options"] = opts
    stats = {"bytes": 0, "packets": 0, "drops": 0, "overlimits": 0, "requeues": 0,
             "backlog": 0, "qlen": 0}  # fmt: skip
    if q is not None:
        backlog = q.backlog
        stats.update(bytes=q.bytes, packets=q.packets, drops=q.drops, overlimits=q.overlimits,
                     requeues=q.requeues, backlog=backlog, qlen=q.qlen)  # fmt: skip
    msg["stats"] = stats
    return msg


def qdisc_dump(ns: Netns, *, invisible: bool = False) -> list[dict[str, Any]]:
    """``tc_dump_qdisc``: every device's root qdisc (and visible children),
    then its ingress qdisc; ``noop`` (a device never up) is left out."""
    out: list[dict[str, Any]] = []
    for dev in ns:
        q = dev.sched
        if q is not None:
            refcnt = 2 if q.handle == 0 else 1 + dev.num_tx_queues
            out.append(_qdisc_msg(dev, q, kind=q.kind, handle=q.handle, parent=TC_H_ROOT,
                                  refcnt=refcnt))  # fmt: skip
            for c in q.children():
                if invisible or not c.invisible:
                    out.append(_qdisc_msg(dev, c, kind=c.kind, handle=c.handle,
                                          parent=c.parent, refcnt=1))  # fmt: skip
        elif dev.qdisc != "noop":
            out.append(_qdisc_msg(dev, None, kind=dev.qdisc, handle=0, parent=TC_H_ROOT,
                                  refcnt=2))  # fmt: skip
        if dev.ingress_q is not None:
            ing = dev.ingress_q
            out.append(_qdisc_msg(dev, ing, kind="ingress", handle=ing.handle,
                                  parent=TC_H_INGRESS, refcnt=1))  # fmt: skip
    return out


# --- devices going away -----------------------------------------------------------------------


def tc_netdev_event(event: NetdevEvent, dev: Link) -> None:
    """``dev_shutdown`` on unregistration (a namespace move too): the qdiscs and
    filters go; ``mirred_device_event``: actions aimed at the device lose it."""
    if event != NetdevEvent.UNREGISTER:
        return
    if dev.sched is not None:
        dev.sched.destroy()
        dev.sched = None
    _ingress_destroy(dev)
    dev.ingress_queue = False
    for ns in dev.kernel.namespaces.values():
        for a in ns.tc_actions.values():
            if a.target is dev:
                a.target = None
