"""Layer-2 operations that run on both the simulator and the real kernel.

An operation is a tuple; :func:`to_shell` turns it into the ``ip``/``bridge``
command a user would type, :func:`apply` performs it on a :class:`World`.
Both sides record, per operation, the error line the user would see (or
``""``), and then dump every namespace in iproute2's JSON shapes.
"""

from __future__ import annotations

import json
import random
import re
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from netsim import KernelError, World
from netsim.backends.sim.dump import bridge_link_records, fdb_records, link_records
from netsim.backends.sim.dump_l3 import addr_records, route_records, rule_records
from tests.differential.l3ops import L3_OPS, l3_words

Op = tuple[Any, ...]

# ops: ("netns", ns) ("veth", ns, name, peer, peer_ns, mac, peer_mac) ("bridge", ns, name, mac|None)
#      ("up"|"down", ns, dev) ("master", ns, dev, master|None) ("move", ns, dev, target)
#      ("del", ns, dev) ("netns_del", ns) ("mtu", ns, dev, n) ("address", ns, dev, mac)
#      ("fdb_add", ns, dev, mac, state) ("ageing", ns, br, cs) ("port", ns, dev, flag, on)


def to_shell(op: Op) -> str:
    kind, *a = op
    q = shlex.quote
    if kind == "netns":
        return (
            f"ip netns add {a[0]} && ip netns exec {a[0]} sysctl -qw "
            "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
        )
    if kind == "netns_del":
        return f"ip netns del {a[0]}"
    ns = a[0]
    ip = f"ip -n {ns}"
    if kind == "veth":
        _, name, peer, pns, mac, pmac = a
        return (
            f"{ip} link add {q(name)} address {mac} type veth peer name {q(peer)} "
            f"netns {pns} address {pmac}"
        )
    if kind == "bridge":
        _, name, mac = a
        addr = f" address {mac}" if mac else ""
        return f"{ip} link add {q(name)}{addr} type bridge"
    if kind in ("up", "down"):
        return f"{ip} link set {q(a[1])} {kind}"
    if kind == "master":
        m = f"master {q(a[2])}" if a[2] else "nomaster"
        return f"{ip} link set {q(a[1])} {m}"
    if kind == "move":
        return f"{ip} link set {q(a[1])} netns {a[2]}"
    if kind == "del":
        return f"{ip} link del {q(a[1])}"
    if kind == "mtu":
        return f"{ip} link set {q(a[1])} mtu {a[2]}"
    if kind == "address":
        return f"{ip} link set {q(a[1])} address {a[2]}"
    if kind == "name":
        return f"{ip} link set {q(a[1])} name {q(a[2])}"
    if kind == "fdb_add":
        return f"bridge -n {ns} fdb add {a[2]} dev {q(a[1])} master {a[3]}"
    if kind == "ageing":
        return f"{ip} link set {q(a[1])} type bridge ageing_time {a[2]}"
    if kind == "port":
        return f"bridge -n {ns} link set dev {q(a[1])} {a[2]} {'on' if a[3] else 'off'}"
    if kind in L3_OPS:
        return f"{ip} {l3_words(op)}"
    raise ValueError(op)


def apply(w: World, op: Op) -> str:
    """Perform ``op`` on the simulator; return the first line the user would see
    (an error, the JSON of a query, or "")."""
    try:
        return _apply(w, op)
    except KernelError as e:
        return e.message


def _apply(w: World, op: Op) -> str:
    kind, *a = op
    if kind == "netns":
        w.netns_add(a[0])
        return ""
    if kind == "netns_del":
        w.netns_del(a[0])
        return ""
    ns = a[0]
    if kind == "veth":
        _, name, peer, pns, mac, pmac = a
        w.add_veth(name, peer, netns=ns, peer_netns=pns, address=mac, peer_address=pmac)
    elif kind == "bridge":
        w.add_bridge(a[1], netns=ns, address=a[2])
    elif kind in ("up", "down"):
        w.link_set(a[1], netns=ns, up=kind == "up")
    elif kind == "master":
        if a[2] is not None and a[2] not in w.netns(ns):  # ip resolves the master first
            raise KernelError(
                0, message=f'Error: argument "{a[2]}" is wrong: Device does not exist'
            )
        w.link_set(a[1], netns=ns, master=a[2])
    elif kind == "move":
        w.link_set(a[1], netns=ns, to_netns=a[2])
    elif kind == "del":
        w.link_del(a[1], netns=ns)
    elif kind == "mtu":
        w.link_set(a[1], netns=ns, mtu=a[2])
    elif kind == "address":
        w.link_set(a[1], netns=ns, address=a[2])
    elif kind == "name":
        w.link_set(a[1], netns=ns, name=a[2])
    elif kind == "fdb_add":
        w.fdb_add(a[2], dev=a[1], netns=ns, master=True, state=a[3])
    elif kind == "ageing":
        w.bridge_set(a[1], netns=ns, ageing_time=a[2] / 100)
    elif kind == "port":
        if a[1] not in w.netns(ns):
            raise KernelError(0, message=f'Cannot find bridge device "{a[1]}"')
        w.bridge_link_set(a[1], netns=ns, **{a[2]: a[3]})
    elif kind in L3_OPS:
        return L3_OPS[kind](w, ns, *a[1:])
    else:
        raise ValueError(op)
    return ""


# --- running a batch of sequences on the kernel ----------------------------------------------


#: Seconds between two rounds of operations: longer than the link watcher's
#: one-second rate limit, so every carrier event is handled before the next
#: operation on both sides (the kernel's limit is global across namespaces,
#: so without the pause the outcome would depend on unrelated timing).
SETTLE = 1.1


def kernel_script(sequences: Sequence[Sequence[Op]]) -> str:
    """One sandbox script running every sequence, round by round (op j of every
    sequence, then a pause); namespaces of different sequences must not overlap."""
    lines = []
    for j in range(max(len(s) for s in sequences)):
        for i, seq in enumerate(sequences):
            if j < len(seq):
                lines.append(f"echo '@@op {i} {j}'; {to_shell(seq[j])} 2>&1 | head -1")
        lines.append(f"sleep {SETTLE}")
    for i, seq in enumerate(sequences):
        for ns in namespaces(seq):
            lines.append(
                f"if [ -e /run/netns/{ns} ]; then echo '@@dump {i} {ns}'; "
                f"echo '@@link'; ip -n {ns} -j link show; "
                f"echo '@@fdb'; bridge -n {ns} -j fdb show; "
                f"echo '@@brlink'; bridge -n {ns} -j link show; "
                f"echo '@@addr'; ip -n {ns} -j addr show; "
                f"echo '@@route'; ip -n {ns} -j route show table all; "
                f"echo '@@rule'; ip -n {ns} -j rule show; "
                f"echo '@@nsids'; ip -n {ns} netns list-id; fi"
            )
    return "\n".join(lines) + "\n"


def namespaces(seq: Iterable[Op]) -> list[str]:
    return [op[1] for op in seq if op[0] == "netns"]


Dump = dict[str, Any]


def parse_kernel(out: str, n: int) -> tuple[list[dict[int, str]], list[dict[str, Dump]]]:
    """Per sequence: {op index: error line} and {netns: dump}."""
    errors: list[dict[int, str]] = [{} for _ in range(n)]
    dumps: list[dict[str, Dump]] = [{} for _ in range(n)]
    current: Dump = {}
    for block in out.split("@@")[1:]:
        head, _, body = block.partition("\n")
        words = head.split()
        if words[0] == "op":
            errors[int(words[1])][int(words[2])] = body.strip()
        elif words[0] == "dump":
            current = dumps[int(words[1])][words[2]] = {}
        elif words[0] == "nsids":
            current["nsids"] = {
                int(m.group(1)): m.group(2)
                for m in re.finditer(r"nsid (\d+) \(iproute2 netns name: (\S+)\)", body)
            }
        else:
            current[words[0]] = json.loads(body.strip() or "[]")
    return errors, dumps


def sim_run(seq: Sequence[Op], seed: int = 0) -> tuple[dict[int, str], dict[str, Dump]]:
    w = World(seed)
    errors = {}
    for j, op in enumerate(seq):
        errors[j] = apply(w, op)
        w.sleep(SETTLE)
    dumps = {}
    for ns_name in namespaces(seq):
        if ns_name not in w.kernel.namespaces:
            continue
        ns = w.netns(ns_name)
        dumps[ns_name] = {
            "link": link_records(ns),
            "fdb": fdb_records(ns),
            "brlink": bridge_link_records(ns),
            "addr": addr_records(ns),
            "route": route_records(ns, "all"),
            "rule": rule_records(ns),
        }
        dumps[ns_name]["nsids"] = {nsid: other.name for other, nsid in ns.netns_ids.items()}
    return errors, dumps


# --- normalisation ----------------------------------------------------------------------------

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def normalise(dump: Dump, pinned: set[str]) -> Dump:
    """Make two dumps comparable.

    * random MACs (not set by the sequence, not all-zeros/broadcast) -> ``random``;
    * ``link_netnsid`` -> the namespace's name (ids are allocated lazily, in
      an order the model does not promise to share);
    * ``self`` FDB entries for multicast groups are dropped: they come from the
      IP layers' multicast joins, not modelled yet (see backends/sim/dump.py).
    """

    def mac(v: str) -> str:
        if v in pinned or v in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
            return v
        return "random"

    def fix(rec: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in rec.items():
            if isinstance(v, str) and _MAC.match(v):
                out[k] = mac(v)
            elif k == "link_netnsid":
                out[k] = dump["nsids"].get(v, f"nsid {v}")
            else:
                out[k] = v
        return out

    fdb = [fix(r) for r in dump["fdb"] if not ("self" in r["flags"] and int(r["mac"][:2], 16) & 1)]
    out = {
        "link": [fix(r) for r in dump["link"]],
        "fdb": fdb,
        "brlink": [fix(r) for r in dump["brlink"]],
        "route": [r for r in dump.get("route", []) if "family" not in r],
        "rule": dump.get("rule", []),
    }
    # IPv6 is not modelled: drop inet6 addresses (the kernel side disables IPv6 anyway)
    out["addr"] = [
        {**fix(r), "addr_info": [i for i in r["addr_info"] if i["family"] == "inet"]}
        for r in dump.get("addr", [])
    ]
    return out


def pinned_macs(seq: Iterable[Op]) -> set[str]:
    out: set[str] = set()
    for op in seq:
        if op[0] == "veth":
            out |= {op[5], op[6]}
        elif (op[0] == "bridge" and op[3]) or op[0] in ("address", "fdb_add"):
            out.add(op[3])
    return out


# --- random sequences ---------------------------------------------------------------------------


def random_sequence(rng: random.Random, prefix: str, length: int = 14) -> list[Op]:
    """A plausible sequence of link operations over three namespaces."""
    nss = [f"{prefix}a", f"{prefix}b", f"{prefix}c"]
    seq: list[Op] = [("netns", n) for n in nss]
    names = ["v0", "v1", "v2", "v3", "br0", "br1"]
    macn = iter(range(1, 10_000))

    def mac() -> str:
        return f"02:00:00:{rng.randrange(256):02x}:{next(macn) // 256:02x}:{next(macn) % 256:02x}"

    for _ in range(length):
        ns = rng.choice(nss)
        dev = rng.choice(names)
        k = rng.choices(
            ["veth", "bridge", "up", "down", "master", "nomaster", "move", "del", "mtu",
             "address", "fdb_add", "port", "name"],
            weights=[6, 3, 8, 3, 6, 1, 2, 1, 1, 1, 1, 1, 1],
        )[0]  # fmt: skip
        if k == "veth":
            peer = rng.choice(names[:4])
            seq.append(("veth", ns, rng.choice(names[:4]), peer, rng.choice(nss), mac(), mac()))
        elif k == "bridge":
            seq.append(("bridge", ns, rng.choice(names[4:]), mac() if rng.random() < 0.2 else None))
        elif k in ("up", "down", "del"):
            seq.append((k, ns, dev))
        elif k == "master":
            seq.append(("master", ns, dev, rng.choice(names[4:])))
        elif k == "nomaster":
            seq.append(("master", ns, dev, None))
        elif k == "move":
            seq.append(("move", ns, dev, rng.choice(nss)))
        elif k == "mtu":
            seq.append(("mtu", ns, dev, rng.choice([1280, 1450, 9000, 60])))
        elif k == "address":
            seq.append(("address", ns, dev, mac()))
        elif k == "fdb_add":
            seq.append(("fdb_add", ns, dev, mac(), rng.choice(["static", "dynamic", "permanent"])))
        elif k == "port":
            seq.append(
                ("port", ns, dev, rng.choice(["hairpin", "learning", "flood"]), rng.random() < 0.5)
            )
        else:
            seq.append(("name", ns, dev, rng.choice(names)))
    return seq
