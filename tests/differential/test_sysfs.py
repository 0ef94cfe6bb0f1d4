"""The virtual ``/sys/class/net`` and ``/proc/sys/net`` files (``netsim.shell.sysfs``)
read as ``cat`` reads them on the real kernel, and list no file the kernel lacks.

A veth pair (one end a bridge port), the bridge and ``lo``: first with only
the free veth end up, then with everything up.  The veth MACs are pinned (so
the bridge takes ``v0``'s); any other MAC would be normalised away.
"""

from __future__ import annotations

import os
import re

import pytest

from netsim import World
from netsim.shell.sysfs import SysfsError, sys_isdir, sys_listdir, sys_read
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

PROC_FILES = (
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/net/ipv4/conf/v0/forwarding",
    "/proc/sys/net/ipv4/conf/lo/disable_policy",
    "/proc/sys/net/ipv4/route/flush",
)
DIRS = (
    "/sys/class/net",
    "/sys/class/net/lo",
    "/sys/class/net/v0",
    "/sys/class/net/v1",
    "/sys/class/net/br0",
    "/sys/class/net/br0/bridge",
    "/sys/class/net/br0/brif",
    "/sys/class/net/v0/brport",
    "/proc/sys/net/ipv4/conf",
)
SETTLE = 1.2
Blocks = dict[str, str]
Phases = tuple[Blocks, Blocks]
_MAC = re.compile(r"\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b")
_PINNED = {"02:00:00:00:00:01", "02:00:00:00:00:02", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}


def _files() -> list[str]:
    """Every file the model lists in the compared directories (so each new modelled
    file is compared with the kernel too), plus a few /proc ones."""
    w = _build()
    paths = []
    for d in (*(f"/sys/class/net/{n}" for n in ("lo", "v0", "v1", "br0")),
              "/sys/class/net/br0/bridge", "/sys/class/net/v0/brport"):  # fmt: skip
        for entry in sys_listdir(w, "init_net", d) or []:
            if not sys_isdir(w, "init_net", f"{d}/{entry}"):
                paths.append(f"{d}/{entry}")
    paths += [f"/sys/class/net/br0/brif/v0/{f}" for f in ("state", "port_no")]
    return paths + list(PROC_FILES)


def _norm(text: str) -> str:
    return _MAC.sub(lambda m: m.group(0) if m.group(0) in _PINNED else "MAC", text)


def _dump_script() -> str:
    """Shell that prints ``@PATH`` then ``cat PATH``'s output for each file."""
    lines = [f"echo '@{p}'; cat {p} 2>&1" for p in _files()]
    lines += [f"echo '@ls {d}'; ls {d}" for d in DIRS]
    return "\n".join(lines) + "\n"


def _parse(out: str) -> Blocks:
    blocks: Blocks = {}
    key = None
    for line in out.splitlines(keepends=True):
        if line.startswith("@"):
            key = line[1:].rstrip("\n")
            blocks[key] = ""
        else:
            assert key is not None, out
            blocks[key] += line
    return blocks


def _kernel() -> Phases:
    out = sandbox.run(
        "mount -t sysfs none /sys\n"
        "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1\n"
        "ip link add v0 address 02:00:00:00:00:01 type veth peer name v1"
        " address 02:00:00:00:00:02\n"
        "ip link add br0 type bridge\n"
        "ip link set v0 master br0\n"
        "ip link set v1 up\n"
        f"sleep {SETTLE}\n" + _dump_script() + "echo '@@'\n"
        "ip link set v0 up\nip link set br0 up\nip link set lo up\n"
        f"sleep {SETTLE}\n" + _dump_script()
    )
    first, second = out.split("@@\n")
    return _parse(first), _parse(second)


def _model_dump(w: World) -> Blocks:
    blocks: Blocks = {}
    for p in _files():
        try:
            text = sys_read(w, "init_net", p)
        except SysfsError as e:
            text = f"cat: {p}: {os.strerror(e.errno)}\n"
        blocks[p] = f"cat: {p}: No such file or directory\n" if text is None else text
    for d in DIRS:
        entries = sys_listdir(w, "init_net", d)
        assert entries is not None, d
        blocks[f"ls {d}"] = "".join(e + "\n" for e in entries)
    return blocks


def _build() -> World:
    """The model's side of the kernel script's set-up."""
    w = World(seed=1)
    w.add_veth("v0", "v1", address="02:00:00:00:00:01", peer_address="02:00:00:00:00:02")
    w.add_bridge("br0")
    w.link_set("v0", master="br0")
    w.link_set("v1", up=True)
    w.sleep(SETTLE)
    return w


def _model() -> Phases:
    w = _build()
    first = _model_dump(w)
    w.link_set("v0", up=True)
    w.link_set("br0", up=True)
    w.link_set("lo", up=True)
    w.sleep(SETTLE)
    return first, _model_dump(w)


@pytest.fixture(scope="module")
def both() -> tuple[Phases, Phases]:
    return _kernel(), _model()


@pytest.mark.parametrize("phase", [0, 1], ids=["v1-up", "all-up"])
def test_file_contents_match_kernel(both: tuple[Phases, Phases], phase: int) -> None:
    kernel, model = both[0][phase], both[1][phase]
    for p in _files():
        assert _norm(model[p]) == _norm(kernel[p]), p


@pytest.mark.parametrize("phase", [0, 1], ids=["v1-up", "all-up"])
def test_listings_are_subsets_of_kernel(both: tuple[Phases, Phases], phase: int) -> None:
    kernel, model = both[0][phase], both[1][phase]
    for d in DIRS:
        key = f"ls {d}"
        have, want = model[key].split(), kernel[key].split()
        assert set(have) <= set(want), (d, sorted(set(have) - set(want)))
        if d in ("/sys/class/net", "/sys/class/net/br0/brif", "/proc/sys/net/ipv4/conf"):
            assert have == want, d
