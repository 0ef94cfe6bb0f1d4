"""IPv4 operations for the differential harness: each is a structured tuple that
becomes both the ``ip`` command line and the matching :class:`World` call.

("addr", ns, "add"|"del", dev, "10.1.0.1/24", {"broadcast": "+", "label": ...})
("route", ns, "add"|"del"|"replace"|"append", {"dst": ..., "via": ..., "dev": ...,
    "type": ..., "table": ..., "metric": ..., "src": ..., "onlink": bool, "scope": ...})
("rule", ns, "add"|"del", {"priority": ..., "src": ..., "dst": ..., "iif": ...,
    "table": ..., "action": ...})
("route_get", ns, {"dst": ..., "src": ...})   -- a query: its JSON line is compared
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from netsim import World
from netsim.backends.sim.dump_l3 import route_get_record

Op = tuple[Any, ...]

_ROUTE_WORDS = (("via", "via"), ("dev", "dev"), ("table", "table"), ("metric", "metric"),
                ("scope", "scope"), ("src", "src"))  # fmt: skip


def l3_words(op: Op) -> str:
    """The ``ip`` arguments (after ``ip -n NS``) for an IPv4 op."""
    kind = op[0]
    if kind == "addr":
        _, _, verb, dev, addr, extra = op
        words = [f"addr {verb} {addr}"]
        if "broadcast" in extra:
            words.append(f"brd {extra['broadcast']}")
        if "label" in extra:
            words.append(f"label {extra['label']}")
        return " ".join([*words, f"dev {dev}"])
    if kind == "route":
        _, _, verb, args = op
        words = [f"route {verb}"]
        if args.get("type"):
            words.append(args["type"])
        words.append(args["dst"])
        words += [f"{w} {args[k]}" for k, w in _ROUTE_WORDS if args.get(k) is not None]
        if args.get("onlink"):
            words.append("onlink")
        return " ".join(words)
    if kind == "rule":
        _, _, verb, args = op
        words = [f"rule {verb}"]
        for key, word in (("priority", "pref"), ("src", "from"), ("dst", "to"), ("iif", "iif"),
                          ("oif", "oif")):  # fmt: skip
            if args.get(key) is not None:
                words.append(f"{word} {args[key]}")
        if args.get("action"):
            words.append(args["action"])
        elif args.get("table") is not None:
            words.append(f"lookup {args['table']}")
        return " ".join(words)
    if kind == "route_get":
        args = op[2]
        return f"-j route get {args['dst']}" + (f" from {args['src']}" if args.get("src") else "")
    raise ValueError(op)


def _addr(w: World, ns: str, verb: str, dev: str, addr: str, extra: dict[str, Any]) -> str:
    if verb == "add":
        w.addr_add(addr, dev=dev, netns=ns, **extra)
    else:
        w.addr_del(addr, dev=dev, netns=ns)
    return ""


def _route(w: World, ns: str, verb: str, args: dict[str, Any]) -> str:
    kw = {k: v for k, v in args.items() if v is not None and k != "dst"}
    if verb == "del":
        kw.pop("onlink", None)
        w.route_del(args["dst"], netns=ns, **kw)
    else:
        w.route_add(args["dst"], netns=ns, mode=verb, **kw)
    return ""


def _rule(w: World, ns: str, verb: str, args: dict[str, Any]) -> str:
    kw = {k: v for k, v in args.items() if v is not None}
    if verb == "add":
        w.rule_add(netns=ns, **kw)
    else:
        w.rule_del(netns=ns, **kw)
    return ""


def _route_get(w: World, ns: str, args: dict[str, Any]) -> str:
    out = w.route_get(args["dst"], src=args.get("src"), netns=ns)
    return json.dumps([route_get_record(out)], separators=(",", ":"))


L3_OPS: dict[str, Callable[..., str]] = {
    "addr": _addr,
    "route": _route,
    "rule": _rule,
    "route_get": _route_get,
}


def random_l3_sequence(rng: random.Random, prefix: str, length: int = 16) -> list[Op]:
    """Two namespaces joined by a veth pair; addresses, routes, rules, link state, lookups."""
    a, b = f"{prefix}a", f"{prefix}b"
    seq: list[Op] = [
        ("netns", a),
        ("netns", b),
        ("veth", a, "e0", "e1", b, f"02:00:00:{rng.randrange(256):02x}:00:01", "02:00:00:99:00:02"),
        ("up", a, "lo"),
    ]
    addrs = ["10.1.0.1/24", "10.1.0.2/24", "10.1.0.7/16", "10.2.0.1/24", "10.3.0.1/32",
             "10.4.0.1/31", "192.168.5.1/24"]  # fmt: skip
    dsts = ["default", "10.8.0.0/16", "10.9.0.0/24", "10.1.0.0/24", "172.16.0.0/12", "10.2.0.5"]
    vias = ["10.1.0.254", "10.2.0.9", "10.1.0.1", "10.99.0.1", None]
    for _ in range(length):
        ns = rng.choice([a, a, a, b])
        dev = "e0" if ns == a else "e1"
        k = rng.choices(
            ["addr", "addr_del", "route", "route_del", "rule", "up", "down", "get"],
            weights=[6, 1, 6, 2, 1, 3, 1, 5],
        )[0]
        if k == "addr":
            extra = rng.choice([{}, {}, {"broadcast": "+"}, {"label": f"{dev}:1"}])
            seq.append(("addr", ns, "add", dev, rng.choice(addrs), extra))
        elif k == "addr_del":
            seq.append(("addr", ns, "del", dev, rng.choice(addrs), {}))
        elif k == "route":
            args: dict[str, Any] = {"dst": rng.choice(dsts)}
            rtype = rng.choice([None, None, None, "blackhole", "unreachable", "prohibit"])
            if rtype:
                args["type"] = rtype
            else:
                args["via"] = rng.choice(vias)
                if args["via"] is None or rng.random() < 0.3:
                    args["dev"] = dev
                args["onlink"] = bool(args.get("dev") and args.get("via") and rng.random() < 0.3)
            args["metric"] = rng.choice([None, None, 10, 100])
            args["table"] = rng.choice([None, None, None, 100])
            if rng.random() < 0.15:
                args["src"] = rng.choice(["10.1.0.1", "10.9.9.9"])
            seq.append(("route", ns, rng.choice(["add", "add", "replace", "append"]), args))
        elif k == "route_del":
            seq.append(("route", ns, "del", {"dst": rng.choice(dsts)}))
        elif k == "rule":
            args = {"src": rng.choice([None, "10.1.0.0/24"]), "table": 100}
            args["priority"] = rng.choice([None, 100])
            seq.append(("rule", ns, rng.choice(["add", "add", "del"]), args))
        elif k in ("up", "down"):
            seq.append((k, ns, dev))
        else:
            dst = rng.choice(["10.1.0.2", "10.1.0.1", "10.8.1.1", "10.9.0.7", "8.8.8.8",
                              "10.2.0.5", "127.0.0.1", "10.1.0.255"])  # fmt: skip
            src = rng.choice([None, None, None, "10.1.0.1", "10.1.0.7"])
            seq.append(("route_get", ns, {"dst": dst, "src": src}))
    return seq
