"""The tc side of rtnetlink: ``RTM_NEWQDISC``/``RTM_DELQDISC``/``RTM_GETQDISC``
(``tc_modify_qdisc``, ``tc_get_qdisc``, ``tc_dump_qdisc`` of ``sch_api.c``)
and ``RTM_NEWTFILTER``/``RTM_DELTFILTER``/``RTM_GETTFILTER`` (``tc_new_tfilter``,
``tc_del_tfilter``, ``tc_dump_tfilter`` of ``cls_api.c``), with the kernel's
errnos and extack messages.

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
from netsim.kernel.sched.ingress import (
    TC_ACT_STOLEN,
    TCA_EGRESS_MIRROR,
    TCA_EGRESS_REDIR,
    Ingress,
    Mirred,
    U32Filter,
    U32Key,
)
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
_U32_ROOT_HT: Final = 0x80000000


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


# --- filters ---------------------------------------------------------------------------------


def _ingress_of(dev: Link, parent: int) -> Ingress:
    """``__tcf_qdisc_find`` + ``__tcf_block_find`` for a filter's parent."""
    if parent == 0:
        q = dev.sched
        if q is None or q.handle == 0:
            raise _err(errno.EINVAL, "Qdisc not classful")
        raise _err(errno.EOPNOTSUPP, "Class doesn't support blocks")
    q = _lookup(dev, tc_h_maj(parent))
    if q is None:
        raise _err(errno.EINVAL, "Parent Qdisc doesn't exists")
    if not isinstance(q, Ingress):
        raise _err(errno.EOPNOTSUPP, "Class doesn't support blocks")
    return q


def _new_action(ns: Netns, spec: dict[str, Any]) -> Mirred:
    if spec.get("kind") != "mirred":
        raise NetsimError(f"netsim: tc action {spec.get('kind')} is not modelled yet")
    eaction = int(spec.get("eaction", TCA_EGRESS_REDIR))
    if eaction not in (TCA_EGRESS_REDIR, TCA_EGRESS_MIRROR):
        raise NetsimError("netsim: mirred ingress redirect/mirror is not modelled yet")
    ifindex = int(spec.get("ifindex", 0))
    target = ns.links.get(ifindex)
    if target is None:
        raise _err(errno.ENODEV, "Specified device does not exist")
    index = int(spec.get("index") or 0)
    if not index:
        index = 1
        while index in ns.tc_actions:
            index += 1
    elif index in ns.tc_actions:
        raise NetsimError("netsim: binding an existing tc action is not modelled yet")
    action = int(spec.get("action", TC_ACT_STOLEN))
    m = Mirred(index, eaction, target, action)
    ns.tc_actions[index] = m
    return m


def filter_new(dev: Link, *, parent: int, prio: int, protocol: int, kind: str | None,
               handle: int, options: dict[str, Any], flags: int) -> None:  # fmt: skip
    """``tc_new_tfilter`` for a u32 filter on the ingress qdisc."""
    ns = dev.netns
    assert ns is not None
    allocate = prio == 0
    if allocate and not flags & NLM_F_CREATE:
        raise _err(errno.ENOENT, "Invalid filter command with priority of zero")
    ing = _ingress_of(dev, parent)
    same = [f for f in ing.filters if f.prio == prio] if not allocate else []
    if same and protocol and same[0].protocol != protocol:
        raise _err(errno.EINVAL, "Protocol mismatch for filter with specified priority")
    if not same:
        if kind is None or not protocol:
            raise _err(errno.EINVAL, "Filter kind and protocol must be specified")
        if not flags & NLM_F_CREATE:
            raise _err(errno.ENOENT, "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter")  # fmt: skip  # noqa: E501
        if allocate:  # tcf_auto_prio: one below the last preference under 0x8000
            below = [f.prio for f in ing.filters if f.prio < 0x8000]
            prio = (max(below) - 1) & 0xFFFF if below else 0xC000
    if kind is not None and kind != "u32":
        raise NetsimError(f"netsim: tc filter {kind} is not modelled yet")
    keys = tuple(U32Key(int(k.get("val", 0)), int(k.get("mask", 0)), int(k.get("off", 0)),
                        int(k.get("offmask", 0))) for k in options.get("keys", [{}]))  # fmt: skip
    if any(k.mask for k in keys):
        raise NetsimError("netsim: u32 matches other than match-all are not modelled yet")
    if handle:
        raise NetsimError("netsim: u32 filters with an explicit handle are not modelled yet")
    htid = same[0].htid if same else _new_htid(ing)
    node, taken = 0x800, {f.handle & 0xFFF for f in same}  # gen_new_kid: the lowest free
    while node in taken:
        node += 1
    actions = [_new_action(ns, a) for a in options.get("actions", [])]
    f = U32Filter(prio, protocol, htid | node, htid, keys, int(options.get("flags", 1)),
                  int(options.get("classid", 0)), actions)  # fmt: skip
    ing.filters.append(f)
    ing.filters.sort(key=lambda x: x.prio)
    ing.block_classid = parent


def _new_htid(ing: Ingress) -> int:
    """``gen_new_htid``: the lowest free root hash table id (``800:`` first)."""
    used = {f.htid for f in ing.filters}
    htid = _U32_ROOT_HT
    while htid in used:
        htid += 0x100000
    return htid


def filter_del(dev: Link, *, parent: int, prio: int, protocol: int, kind: str | None,
               handle: int) -> None:  # fmt: skip
    """``tc_del_tfilter``: a whole preference (no handle), or every filter when no
    preference is given (a flush)."""
    if prio == 0 and (protocol or handle or kind):
        raise _err(errno.ENOENT, "Cannot flush filters with protocol, handle or kind set")
    ing = _ingress_of(dev, parent)
    if prio == 0:
        victims = list(ing.filters)
    else:
        victims = [f for f in ing.filters if f.prio == prio and (not protocol or f.protocol == protocol)]  # fmt: skip  # noqa: E501
        if not victims:
            raise _err(errno.ENOENT, "Filter with specified priority/protocol not found")
        if kind is not None and kind != "u32":
            raise _err(errno.EINVAL, "Specified filter kind does not match existing one")
        if handle:
            victims = [f for f in victims if f.handle == handle]
            if not victims:
                raise _err(errno.ENOENT, "Specified filter handle not found")
    ns = dev.netns
    for f in victims:
        ing.filters.remove(f)
        for a in f.actions:
            if ns is not None:
                ns.tc_actions.pop(a.index, None)


def _filter_msg(dev: Link, f: U32Filter, parent: int, fh: int | None) -> dict[str, Any]:
    msg: dict[str, Any] = {"ifindex": dev.ifindex, "parent": parent, "prio": f.prio,
                           "protocol": f.protocol, "kind": "u32", "chain": f.chain,
                           "handle": fh or 0}  # fmt: skip
    if fh is None:
        return msg
    if fh == f.htid:
        msg["options"] = {"divisor": 1}
        return msg
    keys = [{"val": k.val, "mask": k.mask, "off": k.off, "offmask": k.offmask} for k in f.keys]
    actions = [{"order": i + 1, "kind": "mirred", "eaction": a.eaction, "ifindex": a.ifindex,
                "action": a.action, "index": a.index, "ref": a.refcnt, "bind": a.bindcnt,
                "stats": {"bytes": a.bytes, "packets": a.packets, "drops": a.drops,
                          "overlimits": a.overlimits}}
               for i, a in enumerate(f.actions)]  # fmt: skip
    msg["options"] = {"hash": f.htid, "flags": f.flags, "keys": keys, "classid": f.classid,
                      "not_in_hw": True, "actions": actions}  # fmt: skip
    return msg


def filter_dump(dev: Link, *, parent: int) -> list[dict[str, Any]]:
    """``tc_dump_tfilter`` of the block under ``parent``: per preference the
    proto head, the root hash table and each node (what ``tc filter show`` lists)."""
    if parent == 0:
        return []
    q = _lookup(dev, tc_h_maj(parent))
    if not isinstance(q, Ingress):
        return []
    classid = q.block_classid
    out: list[dict[str, Any]] = []
    for prio in sorted({f.prio for f in q.filters}):
        nodes = [f for f in q.filters if f.prio == prio]
        out.append(_filter_msg(dev, nodes[0], classid, None))
        out.append(_filter_msg(dev, nodes[0], classid, nodes[0].htid))
        out += [_filter_msg(dev, f, classid, f.handle) for f in nodes]
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
