"""The filter side of tc's rtnetlink: ``RTM_NEWTFILTER``/``RTM_DELTFILTER``/
``RTM_GETTFILTER`` (``tc_new_tfilter``, ``tc_del_tfilter``, ``tc_dump_tfilter``
of ``net/sched/cls_api.c``) for u32 filters with mirred actions on an ingress
qdisc, with the kernel's errnos and extack messages; dumps in the shape of
the netlink messages (a preference's head, its root hash table, each node)."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError, NetsimError
from netsim.kernel.sched.ingress import (
    TC_ACT_STOLEN,
    TCA_EGRESS_MIRROR,
    TCA_EGRESS_REDIR,
    Ingress,
    Mirred,
    U32Filter,
    U32Key,
)
from netsim.kernel.sched.qdisc import Qdisc, tc_h_maj

if TYPE_CHECKING:
    from netsim.kernel.links.base import Link
    from netsim.kernel.netns import Netns

__all__ = ["filter_del", "filter_dump", "filter_new"]

NLM_F_CREATE: Final = 0x400
_U32_ROOT_HT: Final = 0x80000000


def _err(code: int, extack: str | None = None) -> KernelError:
    return KernelError(code, extack)


def _lookup(dev: Link, handle: int) -> Qdisc | None:
    """``qdisc_lookup`` of a filter's parent (the root or the ingress qdisc)."""
    root: Qdisc | None = dev.sched
    if root is not None and root.handle == handle and handle:
        return root
    ing: Ingress | None = dev.ingress_q
    return ing if ing is not None and ing.handle == handle else None


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
    now = target.kernel.engine.now
    m = Mirred(index, eaction, target, action, install=now, lastuse=now)
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
                          "overlimits": a.overlimits}, "tm": a.tm(dev.kernel.engine.now)}
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
