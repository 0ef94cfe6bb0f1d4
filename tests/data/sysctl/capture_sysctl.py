"""Probe how the real kernel's sysctl handlers treat written values.

Stdlib only and independent of ``netsim`` (the fixture must not be produced by
the code it checks).  ``capture_sysctl.sh`` runs this as root of an
unprivileged user namespace; it never touches the machine's own namespaces.

For every writable file under ``/proc/sys/net/{ipv4,ipv6,core,bridge}`` (the
per-device trees of ``all``, ``default``, ``lo`` and ``veth0``; the neighbour
tree of ``lo``) it forks, enters a brand-new network namespace holding ``lo``
and a veth pair ``veth0``/``veth1`` (both down), and writes a list of values
one after the other, exactly as ``sysctl -w`` does (the value plus a newline,
in one ``write()``).  After each write it records the outcome (``ok`` or the
errno name) and every value in the four trees that changed (``null`` for a
file that disappeared).  The original value is written back last.  Read-only
files get one write, which records ``EACCES``.

    usage: capture_sysctl.py OUT_JSON_GZ
"""

from __future__ import annotations

import ctypes
import datetime
import errno
import gzip
import json
import os
import platform
import subprocess
import sys

ROOT = "/proc/sys/"
SUBTREES = ("net/ipv4", "net/ipv6", "net/core", "net/bridge")
#: Write-only (flushes the routing cache on any write): nothing to observe.
SKIP = {"net/ipv4/route/flush", "net/ipv6/route/flush"}
DEVICES = {"conf": ("all", "default", "lo", "veth0"), "neigh": ("lo",)}
CLONE_NEWNET = 0x40000000

GENERIC = [
    "-2147483649", "-2147483648", "-65536", "-1", "0", "1", "2", "3", "4", "5", "7", "8",
    "9", "10", "63", "64", "68", "100", "127", "128", "255", "256", "1023", "1024", "1279",
    "1280", "1499", "1500", "1501", "4096", "9000", "65535", "65536", "65537", "16777215",
    "16777216", "2147483647", "2147483648", "4294967294", "4294967295", "4294967296",
    "9223372036854775807", "abc", "", " ", "0x10", "010", "1 2", " 3", "+1", "1.5", "-0",
]  # fmt: skip
VECTOR = [
    "1024 65535", "1023 2000", "40000 30000", "40000 40000", "40000", "5 3", "0 0",
    "0 2147483647", "1 0", "1 2 3", "4096 87380 6291456", "1 1 1", "0 1 2", "3 2 1",
    "1024 1024", "32768 60999",
]  # fmt: skip
STRING = [
    "cubic", "reno", "bbr", "nosuch", "1-3,5", "5,1-3", "1024", "0-1,3-127", "65535",
    "65536", "abc,def", "00000000-00000001-00000002-00000003", "fe80::1",
]  # fmt: skip


def new_netns() -> None:
    """``unshare(CLONE_NEWNET)`` (``os.unshare`` needs Python 3.12) plus a veth pair."""
    if ctypes.CDLL(None, use_errno=True).unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
    subprocess.run(
        ["ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1"], check=True
    )


def dotted(path: str) -> str:
    """``net/ipv4/conf/eth0.100/x`` -> ``net.ipv4.conf.eth0/100.x`` (what sysctl prints)."""
    return ".".join(part.replace(".", "/") for part in path.split("/"))


def wanted(rel: str) -> bool:
    parts = rel.split("/")
    if rel in SKIP:
        return False
    if len(parts) == 5 and parts[2] in DEVICES:
        return parts[3] in DEVICES[parts[2]]
    return True


def walk(rel: str, out: list[str]) -> None:
    for entry in sorted(os.scandir(ROOT + rel), key=lambda e: e.name):
        sub = f"{rel}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            walk(sub, out)
        else:
            out.append(sub)


def files() -> list[str]:
    out: list[str] = []
    for rel in SUBTREES:
        walk(rel, out)
    return out


def snapshot() -> dict[str, str]:
    snap: dict[str, str] = {}
    for rel in files():
        try:
            with open(ROOT + rel) as f:
                snap[dotted(rel)] = f.read().rstrip("\n")
        except OSError:
            pass
    return snap


def write(rel: str, value: str) -> str:
    try:
        fd = os.open(ROOT + rel, os.O_WRONLY)
    except OSError as e:
        return errno.errorcode[e.errno]
    try:
        os.write(fd, (value + "\n").encode())
    except OSError as e:
        return errno.errorcode[e.errno]
    finally:
        os.close(fd)
    return "ok"


def values_for(current: str) -> list[str]:
    if "\t" in current:
        return GENERIC + VECTOR
    try:
        int(current)
    except ValueError:
        return GENERIC + STRING
    return GENERIC


def probe(rel: str) -> dict[str, object]:
    before = snapshot()
    key = dotted(rel)
    original = before.get(key)
    steps: list[list[object]] = []
    writable = os.access(ROOT + rel, os.W_OK) and (os.stat(ROOT + rel).st_mode & 0o200)
    values = values_for(original or "") if writable else ["0"]
    if writable and original is not None:
        values = [*values, original]
    for value in values:
        result = write(rel, value)
        after = snapshot()
        diff: dict[str, str | None] = {k: v for k, v in after.items() if before.get(k) != v}
        diff.update({k: None for k in before if k not in after})
        steps.append([value, result, diff])
        before = after
    bounds = search_bounds(rel, original, steps) if writable and original is not None else []
    return {
        "key": key,
        "original": original,
        "writable": bool(writable),
        "steps": steps,
        "bounds": bounds,
    }


def search_bounds(rel: str, original: str, steps: list[list[object]]) -> list[list[str]]:
    """Bisect between the probed integers to find exactly where acceptance changes.

    Each accepted write is undone (the original value is written back) before the
    next one, so every probe below starts from the same state.
    """
    if "\t" in original:
        return []
    tried: dict[int, bool] = {}
    for value, result, _ in steps:
        assert isinstance(value, str)
        if (value.lstrip("-").isdigit() and not value.startswith(("0", "-0"))) or value == "0":
            n = int(value)
            if -(2**31) <= n < 2**32:
                tried[n] = result == "ok"
    out: list[list[str]] = []

    def attempt(n: int) -> bool:
        result = write(rel, str(n))
        out.append([str(n), result])
        if result == "ok":
            write(rel, original)
        return result == "ok"

    accepted = sorted(n for n, ok in tried.items() if ok)
    if not accepted:
        return out
    lo_ok, hi_ok = accepted[0], accepted[-1]
    above = [n for n, ok in tried.items() if not ok and n > hi_ok]
    below = [n for n, ok in tried.items() if not ok and n < lo_ok]
    if above:
        a, b = hi_ok, min(above)
        while b - a > 1:
            m = (a + b) // 2
            a, b = (m, b) if attempt(m) else (a, m)
    if below:
        a, b = max(below), lo_ok
        while b - a > 1:
            m = (a + b) // 2
            a, b = (a, m) if attempt(m) else (m, b)
    return out


def in_fresh_netns(rels: list[str]) -> list[dict[str, object]]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            new_netns()
            data = json.dumps([probe(rel) for rel in rels]).encode()
            with os.fdopen(w, "wb") as f:
                f.write(data)
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    result: list[dict[str, object]] = json.loads(data)
    return result


def main(out: str) -> None:
    # The list of files comes from a namespace shaped like the probe namespaces.
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        new_netns()
        with os.fdopen(w, "w") as f:
            json.dump([rel for rel in files() if wanted(rel)], f)
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        rels = json.load(f)
    os.waitpid(pid, 0)

    probes = []
    for n, rel in enumerate(rels):
        probes.extend(in_fresh_netns([rel]))
        if n % 50 == 0:
            print(f"  {n}/{len(rels)} {rel}", file=sys.stderr)
    doc = {
        "kernel": platform.release(),
        "captured": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "how": __doc__,
        "devices": ["lo", "veth0", "veth1"],
        "probes": probes,
    }
    with gzip.open(out, "wt") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
