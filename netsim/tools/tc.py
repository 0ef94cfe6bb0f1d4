"""``tc`` (iproute2 6.1) as a ``netsim sh`` command: global options,
``tc qdisc show|add|replace|change|del`` and ``tc filter show|add|del``, over
the kernel model's traffic control (:mod:`netsim.kernel.sched`).

Modelled kinds: qdiscs ``tbf`` (root) and ``ingress``; filters ``u32`` with
``match u32 0 0`` and ``action mirred egress redirect|mirror dev DEV``.
Exit statuses as tc's: 1 for a bad argument or ``Cannot find device``, 2 for
a kernel refusal (``Error: <extack>.``), 255 for ``return -1`` paths."""

from __future__ import annotations

from typing import Any, Final

from netsim.errors import KernelError
from netsim.iproute.render_tc import TcFlags, filters_show, qdiscs_show
from netsim.kernel.sched import api
from netsim.kernel.sched.ingress import ETH_P_ALL
from netsim.kernel.sched.qdisc import TC_H_INGRESS, TC_H_ROOT
from netsim.shell.proc import Proc
from netsim.tools.ip_util import IpExit, matches, run_iproute
from netsim.tools.tc_opts import (
    get_qdisc_handle,
    get_tc_classid,
    mirred_parse,
    tbf_parse,
    u32_parse,
)

__all__ = ["tc_main"]

_FLAGS: Final = (("-stats", "stats"), ("-statistics", "stats"), ("-details", "details"),
                 ("-raw", "raw"), ("-pretty", "pretty"), ("-json", "json"), ("-iec", "iec"))  # fmt: skip  # noqa: E501
_IGNORED: Final = ("-force", "-Numeric", "-names", "-nm", "-timestamp", "-tshort", "-oneline",
                   "-brief", "-graph", "-color")  # fmt: skip
_PROTOCOLS: Final = {"all": 0x0003, "ip": 0x0800, "arp": 0x0806, "ipv6": 0x86DD,
                     "802.1q": 0x8100}  # fmt: skip
_VERBS: Final = {"add": api.NLM_F_CREATE | api.NLM_F_EXCL, "change": 0,
                 "replace": api.NLM_F_CREATE | api.NLM_F_REPLACE}  # fmt: skip


def tc_main(proc: Proc) -> int:
    """``tc [OPTIONS] OBJECT COMMAND ...``."""
    return run_iproute(proc, _tc, kernel_status=2, nodev_status=1)


def _tc(proc: Proc) -> None:
    argv = proc.argv[1:]
    fl: dict[str, bool] = {}
    netns = proc.netns
    while argv and argv[0].startswith("-"):
        opt = argv.pop(0)
        flag = next((attr for name, attr in _FLAGS if matches(opt, name)), None)
        if flag is not None:
            fl[flag] = True
        elif matches(opt, "-netns"):
            if not argv:
                raise IpExit('Command line is not complete. Try option "help"\n', 255)
            netns = argv.pop(0)
            proc.world.netns(netns)
        elif matches(opt, "-Version"):
            proc.out("tc utility, iproute2-6.1.0, libbpf 1.1.2\n")
            return
        elif not any(matches(opt, name) for name in _IGNORED):
            raise IpExit(f'Option "{opt}" is unknown, try "tc -help".\n', 255)
    flags = TcFlags(**fl)
    if not argv:
        raise IpExit("netsim: tc: usage is not modelled yet\n", 0)
    obj, rest = argv[0], argv[1:]
    if matches(obj, "qdisc"):
        _qdisc(proc, netns, rest, flags)
    elif matches(obj, "filter"):
        _filter(proc, netns, rest, flags)
    elif any(matches(obj, o) for o in ("class", "chain", "actions", "monitor", "exec")):
        raise IpExit(f"netsim: tc {obj} is not modelled yet\n", 1)
    else:
        raise IpExit(f'Object "{obj}" is unknown, try "tc help".\n', 255)


def _names(proc: Proc, netns: str) -> Any:
    ns = proc.world.netns(netns)

    def name(ifindex: int) -> str:
        """``ll_index_to_name``."""
        if ifindex == 0:
            return "*"
        dev = ns.links.get(ifindex)
        return dev.ifname if dev is not None else f"if{ifindex}"

    return name


def _dev(proc: Proc, netns: str, name: str) -> Any:
    ns = proc.world.netns(netns)
    if name not in ns:
        raise IpExit(f'Cannot find device "{name}"\n', 1)
    return ns.dev(name)


# --- qdisc -------------------------------------------------------------------------------------


def _qdisc(proc: Proc, netns: str, words: list[str], fl: TcFlags) -> None:
    verb = words[0] if words else "list"
    rest = words[1:]
    if any(matches(verb, v) for v in ("list", "show", "ls")) and verb != "l":
        return _qdisc_show(proc, netns, rest, fl)
    if matches(verb, "add") or verb in ("change", "replace", "link") or matches(verb, "delete"):
        return _qdisc_modify(proc, netns, verb, rest)
    raise IpExit(f'Command "{verb}" is unknown, try "tc qdisc help".\n', 255)


def _qdisc_show(proc: Proc, netns: str, words: list[str], fl: TcFlags) -> None:
    dev: str | None = None
    parent = handle = None
    invisible = False
    it = iter(words)
    for w in it:
        if w == "dev":
            dev = next(it, None)
            if dev is None:
                raise IpExit('Command line is not complete. Try option "help"\n', 255)
        elif w == "root":
            parent = TC_H_ROOT
        elif w in ("ingress", "clsact"):
            parent = TC_H_INGRESS
        elif matches(w, "parent"):
            parent = get_tc_classid(next(it, ""))
        elif matches(w, "handle"):
            handle = get_qdisc_handle(next(it, ""))
        elif w == "invisible":
            invisible = True
        else:
            raise IpExit(f'What is "{w}"? Try "tc qdisc help".\n', 255)
    ifindex = _dev(proc, netns, dev).ifindex if dev is not None else None
    msgs = [m for m in api.qdisc_dump(proc.world.netns(netns), invisible=invisible)
            if (ifindex is None or m["ifindex"] == ifindex)
            and (parent is None or m["parent"] == parent)
            and (handle is None or m["handle"] == handle)]  # fmt: skip
    proc.out(qdiscs_show(msgs, fl, _names(proc, netns), one_dev=ifindex is not None))


def _qdisc_head(words: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``tc_qdisc_modify``'s loop up to the kind: dev, handle, root|ingress|parent."""
    head: dict[str, Any] = {"dev": "", "parent": 0, "handle": 0, "kind": None}
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if w in ("dev", "handle", "parent") and nxt is None:
            raise IpExit('Command line is not complete. Try option "help"\n', 255)
        if w == "dev":
            head["dev"] = nxt
        elif w == "handle":
            h = get_qdisc_handle(str(nxt))
            if h is None:
                raise IpExit(f'Error: argument "{nxt}" is wrong: invalid qdisc ID\n', 255)
            head["handle"] = h
        elif w == "parent":
            p = get_tc_classid(str(nxt))
            if p is None:
                raise IpExit(f'Error: argument "{nxt}" is wrong: invalid parent ID\n', 255)
            head["parent"] = p
        elif w in ("root", "ingress"):
            if head["parent"]:
                dup = "is duplicate" if w == "root" else "is a duplicate"
                raise IpExit(f'Error: "{w}" {dup} parent ID\n', 255)
            head["parent"] = TC_H_ROOT
            if w == "ingress":
                head.update(parent=TC_H_INGRESS, kind="ingress", handle=0xFFFF0000)
                return head, words[i + 1 :]
            i += 1
            continue
        else:
            head["kind"] = w
            return head, words[i + 1 :]
        i += 2
    return head, []


def _qdisc_modify(proc: Proc, netns: str, verb: str, words: list[str]) -> None:
    head, rest = _qdisc_head(words)
    kind = head["kind"]
    options: dict[str, Any] | None = None
    if kind == "tbf":
        options = tbf_parse(rest)
    elif kind == "ingress":
        if rest and rest[0] != "handle":
            raise IpExit(f'What is "{rest[0]}"?\nUsage: ... ingress\n', 1)
    elif kind is not None and rest:
        raise IpExit(f"netsim: tc qdisc {kind} options are not modelled yet\n", 1)
    if not head["dev"]:
        raise IpExit("netsim: tc qdisc without dev is not modelled yet\n", 1)
    dev = _dev(proc, netns, head["dev"])
    if matches(verb, "delete"):
        api.qdisc_del(dev, parent=head["parent"], handle=head["handle"], kind=kind)
        return
    flags = _VERBS.get(verb, api.NLM_F_CREATE | api.NLM_F_EXCL)
    api.qdisc_modify(dev, parent=head["parent"], handle=head["handle"], kind=kind,
                     options=options, flags=flags)  # fmt: skip


# --- filter -----------------------------------------------------------------------------------


def _filter(proc: Proc, netns: str, words: list[str], fl: TcFlags) -> None:
    verb = words[0] if words else "list"
    rest = words[1:]
    if any(matches(verb, v) for v in ("list", "show", "ls")) and verb != "l":
        return _filter_show(proc, netns, rest, fl)
    if matches(verb, "add") or verb in ("change", "replace") or matches(verb, "delete"):
        return _filter_modify(proc, netns, verb, rest)
    raise IpExit(f'Command "{verb}" is unknown, try "tc filter help".\n', 255)


def _common(words: list[str]) -> tuple[dict[str, Any], list[str]]:
    """``dev``, ``parent``/``root``/``ingress``, ``pref``, ``protocol``, ``handle``."""
    out: dict[str, Any] = {"dev": "", "parent": 0, "prio": 0, "protocol": 0, "handle": None}
    i = 0
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "dev":
            out["dev"] = nxt
        elif w == "root":
            out["parent"] = TC_H_ROOT
            i += 1
            continue
        elif w == "ingress":
            out["parent"] = 0xFFFFFFF2
            i += 1
            continue
        elif w == "parent":
            p = get_tc_classid(nxt)
            if p is None:
                raise IpExit(f'Error: argument "{nxt}" is wrong: invalid parent ID\n', 255)
            out["parent"] = p
        elif matches(w, "preference") or matches(w, "priority"):
            if not nxt.isdigit():
                raise IpExit(f'Error: argument "{nxt}" is wrong: invalid preference\n', 255)
            out["prio"] = int(nxt)
        elif matches(w, "protocol"):
            proto = _PROTOCOLS.get(nxt.lower())
            if proto is None:
                raise IpExit(f'Error: argument "{nxt}" is wrong: invalid protocol\n', 255)
            out["protocol"] = proto
        elif w == "handle":
            out["handle"] = nxt
        else:
            return out, words[i:]
        i += 2
    return out, []


def _filter_show(proc: Proc, netns: str, words: list[str], fl: TcFlags) -> None:
    c, rest = _common(words)
    if rest:
        raise IpExit(f' What is "{rest[0]}"? Try "tc filter help"\n', 255)
    if not c["dev"]:
        return
    dev = _dev(proc, netns, c["dev"])
    parent = c["parent"]
    query = 0xFFFF0000 if parent == 0xFFFFFFF2 else parent
    msgs = [m for m in api.filter_dump(dev, parent=query)
            if (not c["prio"] or m["prio"] == c["prio"])
            and (not c["protocol"] or m["protocol"] == c["protocol"])]  # fmt: skip
    proc.out(filters_show(msgs, fl, _names(proc, netns), parent=parent or None))


def _filter_modify(proc: Proc, netns: str, verb: str, words: list[str]) -> None:
    c, rest = _common(words)
    kind = rest[0] if rest else None
    options: dict[str, Any] = {}
    if kind == "u32":
        options, tail = u32_parse(rest[1:])
        acts = mirred_parse(tail)
        dev_ns = proc.world.netns(netns)
        for a in acts:
            name = a.pop("dev")
            if name not in dev_ns:
                raise IpExit(f'Cannot find device "{name}"\n', 1)
            a["ifindex"] = dev_ns.dev(name).ifindex
        options["actions"] = acts
    elif kind is not None:
        raise IpExit(f"netsim: tc filter {kind} is not modelled yet\n", 1)
    if not c["dev"]:
        raise IpExit("netsim: tc filter without dev is not modelled yet\n", 1)
    dev = _dev(proc, netns, c["dev"])
    parent = 0xFFFF0000 if c["parent"] == 0xFFFFFFF2 else c["parent"]
    handle = 0 if c["handle"] is None else get_tc_classid(c["handle"]) or 0
    try:
        if matches(verb, "delete"):
            api.filter_del(dev, parent=parent, prio=c["prio"], protocol=c["protocol"],
                           kind=kind, handle=handle)  # fmt: skip
            return
        protocol = c["protocol"] or (ETH_P_ALL if verb != "change" else 0)
        flags = _VERBS.get(verb, api.NLM_F_CREATE | api.NLM_F_EXCL)
        api.filter_new(dev, parent=parent, prio=c["prio"], protocol=protocol, kind=kind,
                       handle=handle, options=options, flags=flags)  # fmt: skip
    except KernelError as e:  # tc_filter_modify(): rtnl_talk() failed
        raise IpExit(f"{e.message}\nWe have an error talking to the kernel\n", 2) from None
