"""Generate ``netsim/kernel/sysctl/_defaults.py`` from the kernel fixtures in this directory.

    usage: .venv/bin/python tests/data/sysctl/gen_defaults.py [--check]

Every default value comes from ``fresh_netns.sysctl`` / ``veth_netns.sysctl``
/ ``deprecated.sysctl`` (``sysctl -a`` of a fresh namespace, see
``capture_sysctl.sh``).  The conversion of every generic key (``int``,
``uint``, ``jiffies``, ``ms`` ... with its bounds) is *inferred* from
``probe.json.gz``: the first handler model of ``netsim.kernel.sysctl._procfs``
that reproduces every probed write of that key (result and value read back)
is kept.  Keys no generic handler explains are in :data:`SPECIAL` and written
by hand in ``netsim/kernel/sysctl/model.py``; the unit tests replay the whole
probe against the model, special keys included.

``--check`` exits 1 when the generated file differs from the one in the tree
(the unit tests do the same through :func:`render`).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from netsim.kernel.sysctl._procfs import (  # noqa: E402
    Invalid,
    Kind,
    Spec,
    format_value,
    parse_values,
    store_value,
)

HERE = Path(__file__).resolve().parent
OUT = ROOT / "netsim" / "kernel" / "sysctl" / "_defaults.py"
SUBTREES = ("net.ipv4.", "net.ipv6.", "net.core.", "net.bridge.")
TREES = ("net.ipv4.conf.", "net.ipv4.neigh.", "net.ipv6.conf.", "net.ipv6.neigh.")
#: Not modelled: ``stable_secret`` cannot be read until set and ``addr_gen_mode=3``
#: fills it with random bytes; ``rps_default_mask`` is a CPU mask of the host.
EXCLUDED = re.compile(r"^net\.ipv6\.conf\.[^.]+\.stable_secret$|^net\.core\.rps_default_mask$")
#: Handled by hand in model.py (vectors, strings, bounds taken from other keys or the device).
SPECIAL = re.compile(
    r"^net\.ipv4\.(ip_local_port_range|ping_group_range|tcp_rmem|tcp_wmem|ip_local_reserved_ports"
    r"|tcp_congestion_control|tcp_fastopen_key|ipfrag_(high|low)_thresh"
    r"|ip_unprivileged_port_start)$"
    r"|^net\.ipv6\.(icmp\.ratemask|ip6frag_(high|low)_thresh)$"
    r"|^net\.ipv6\.conf\.(lo|veth0)\.(mtu|addr_gen_mode)$"
)
#: Values the unprivileged capture cannot show as a root-created namespace has them.
OVERRIDES = {
    # gid 1 is not mapped in the capture's user namespace, so it reads as the
    # overflow gid 65534; the kernel's default is [1, 0] (inet_init_net), which
    # is what the reference transcript T01 (real root, `ip netns add`) shows.
    "net.ipv4.ping_group_range": "1\t0",
}
CANDIDATES = (Kind.INT, Kind.UINT, Kind.JIFFIES, Kind.MS, Kind.USERHZ, Kind.BRNF, Kind.ULONG)


def load(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (HERE / name).read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        key, _, value = line.partition(" = ")
        out[key] = value
    return out


def load_probe() -> dict[str, Any]:
    with gzip.open(HERE / "probe.json.gz", "rt") as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def simulate(spec: Spec, probe: dict[str, Any]) -> bool:
    """Does ``spec`` reproduce every write of ``probe`` (result and read-back)?"""
    key = probe["key"]
    original = probe["original"]
    try:
        if format_value(spec, store_value(spec, *parse_values(original, 1)[0][0])) != original:
            return False
    except Invalid:
        return False
    shown = original
    for value, result, diff in probe["steps"]:
        try:
            new = store_value(spec, *parse_values(value, 1)[0][0])
            got = "ok"
        except Invalid:
            got = "EINVAL"
        if got != result:
            return False
        shown = diff.get(key, shown)
        if got == "ok" and format_value(spec, new) != shown:
            return False
    for value, result in probe["bounds"]:
        try:
            store_value(spec, *parse_values(value, 1)[0][0])
            got = "ok"
        except Invalid:
            got = "EINVAL"
        if got != result:
            return False
    return True


def infer(probe: dict[str, Any]) -> tuple[str, int | None, int | None] | None:
    if not probe["writable"]:
        return ("ro", None, None)
    accepted: list[str] = [v for v, r, _ in probe["steps"] if r == "ok"]
    accepted += [v for v, r in probe["bounds"] if r == "ok"]
    extremes: dict[Kind, tuple[int, int]] = {}
    for kind in CANDIDATES:
        stored = []
        for value in accepted:
            with contextlib.suppress(Invalid):
                stored.append(store_value(Spec(kind), *parse_values(value, 1)[0][0]))
        if stored:
            extremes[kind] = (min(stored), max(stored))
    # Unbounded handlers first (so jiffies is not mistaken for an int with odd bounds),
    # then a lower bound, an upper bound, both.
    for variant in range(4):
        for kind, (lo, hi) in extremes.items():
            spec = Spec(kind, lo if variant in (1, 3) else None, hi if variant >= 2 else None)
            if simulate(spec, probe):
                return (kind.value, spec.lo, spec.hi)
    return None


def pattern(key: str) -> str:
    """``net.ipv4.conf.lo.x`` -> ``net.ipv4.conf.*.x`` (devices, not ``all``/``default``)."""
    parts = key.split(".")
    if key.startswith(TREES) and parts[3] not in ("all", "default"):
        parts[3] = "*"
    return ".".join(parts)


def build() -> dict[str, Any]:
    fresh = load("fresh_netns.sysctl")
    veth = load("veth_netns.sysctl")
    deprecated = load("deprecated.sysctl")
    probe = load_probe()

    scalars = {
        k: OVERRIDES.get(k, v)
        for k, v in fresh.items()
        if k.startswith(SUBTREES) and not k.startswith(TREES) and not EXCLUDED.match(k)
    }

    def tree(prefix: str, source: dict[str, str]) -> dict[str, str]:
        return {
            k[len(prefix) :]: v
            for k, v in source.items()
            if k.startswith(prefix) and not EXCLUDED.match(k)
        }

    def diff(a: dict[str, str], b: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, int]:
        return {k: int(v) for k, v in b.items() if a[k] != v and k not in skip}

    conf = {}
    for fam in ("ipv4", "ipv6"):
        dflt = tree(f"net.{fam}.conf.default.", veth)
        conf[fam] = {
            "all": {k: int(v) for k, v in tree(f"net.{fam}.conf.all.", veth).items()},
            "default": {k: int(v) for k, v in dflt.items()},
            "loopback": diff(dflt, tree(f"net.{fam}.conf.lo.", veth), ("mtu",)),
            "device": diff(dflt, tree(f"net.{fam}.conf.veth0.", veth), ("mtu",)),
        }
    neigh = {}
    for fam in ("ipv4", "ipv6"):
        lo = tree(f"net.{fam}.neigh.lo.", fresh) | tree(f"net.{fam}.neigh.lo.", deprecated)
        assert tree(f"net.{fam}.neigh.veth0.", veth) == tree(f"net.{fam}.neigh.lo.", veth)
        neigh[fam] = dict(sorted(lo.items()))
    hidden = sorted({k.rsplit(".", 1)[1] for k in deprecated})

    specs: dict[str, tuple[str, int | None, int | None]] = {}
    unexplained = []
    for p in probe["probes"]:
        key = p["key"]
        if EXCLUDED.match(key) or SPECIAL.match(key):
            continue
        spec = infer(p)
        if spec is None:
            unexplained.append(key)
            continue
        pat = pattern(key)
        if pat in specs and specs[pat] != spec:
            raise SystemExit(f"{key}: {spec} differs from {pat}: {specs[pat]}")
        specs[pat] = spec
    if unexplained:
        raise SystemExit(f"no handler model explains: {unexplained}")
    # fold all/default into the device pattern where the three agree
    folded: dict[str, tuple[str, int | None, int | None]] = {}
    for pat, spec in sorted(specs.items()):
        parts = pat.split(".")
        if pat.startswith(TREES) and parts[3] in ("all", "default"):
            star = ".".join([*parts[:3], "*", *parts[4:]])
            if specs.get(star) == spec:
                continue
        folded[pat] = spec
    return {
        "kernel": probe["kernel"],
        "scalars": scalars,
        "conf": conf,
        "neigh": neigh,
        "hidden": hidden,
        "specs": folded,
    }


def render(data: dict[str, Any] | None = None) -> str:
    d = build() if data is None else data

    def lit(v: Any) -> str:
        """A Python literal as ``ruff format`` writes it (double quotes)."""
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, tuple):
            return "(" + ", ".join(lit(x) for x in v) + ")"
        return repr(v)

    def block(name: str, mapping: dict[str, Any], typ: str) -> list[str]:
        if not mapping:
            return [f"{name}: Final[{typ}] = {{}}"]
        lines = [f"{name}: Final[{typ}] = {{"]
        lines += [f"    {lit(k)}: {lit(v)}," for k, v in mapping.items()]
        return [*lines, "}"]

    out = [
        '"""Defaults and handler kinds of the sysctl model, generated from kernel captures.',
        "",
        "GENERATED by tests/data/sysctl/gen_defaults.py from tests/data/sysctl/*.sysctl and",
        "probe.json.gz (Linux " + d["kernel"] + ", `sysctl -a` in a fresh network namespace).",
        "Do not edit; regenerate.",
        '"""',
        "",
        "from typing import Final",
        "",
        f"KERNEL: Final = {lit(d['kernel'])}",
        "",
        "#: Keys outside the per-device trees, with their text as `sysctl -n` prints it.",
        *block("SCALARS", d["scalars"], "dict[str, str]"),
        "",
    ]
    for fam in ("ipv4", "ipv6"):
        c = d["conf"][fam]
        up = fam.upper()
        out += [
            *block(f"{up}_CONF_ALL", c["all"], "dict[str, int]"),
            *block(f"{up}_CONF_DEFAULT", c["default"], "dict[str, int]"),
            f"#: How `lo` differs from `conf.default` when it registers ({fam}; mtu aside).",
            *block(f"{up}_CONF_LOOPBACK", c["loopback"], "dict[str, int]"),
            "#: How any other device (a veth was captured) differs from `conf.default`.",
            *block(f"{up}_CONF_DEVICE", c["device"], "dict[str, int]"),
            f"#: `net.{fam}.neigh.DEV.*` of a new device (deprecated names included).",
            *block(f"{up}_NEIGH", d["neigh"][fam], "dict[str, str]"),
            "",
        ]
    out += [
        "#: Neighbour files `sysctl -a` lists only with --deprecated.",
        "DEPRECATED: Final = frozenset({" + ", ".join(lit(h) for h in d["hidden"]) + "})",
        "",
        "#: Handler kind and bounds (kernel extra1/extra2) inferred from the write probe;",
        "#: `*` stands for any device.  Keys missing here are handled in model.py.",
        *block("SPECS", d["specs"], "dict[str, tuple[str, int | None, int | None]]"),
    ]
    return "\n".join(out) + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        return 0 if OUT.read_text() == text else 1
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
