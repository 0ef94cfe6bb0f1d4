"""Virtual ``/sys/class/net`` and ``/proc/sys/net`` files for ``netsim sh``.

A pure module: the shell's ``cat``, ``ls``, ``cd`` and ``test -e`` call the
four functions below with an absolute, normalised path and the name of the
reading process's network namespace (as sysfs does, ``/sys/class/net`` shows
the devices of the *reader's* namespace).

* :func:`sys_read` returns a file's contents (with the trailing newline), or
  ``None`` when the path is not a virtual file (a directory, or nothing).
  A file the kernel refuses to read raises :class:`SysfsError`; the shell
  prints ``cat: PATH: <os.strerror(err.errno)>`` (``Invalid argument`` for
  ``carrier`` of a device that is down, ``Permission denied`` for
  ``/proc/sys/net/ipv4/route/flush``).
* :func:`sys_listdir` returns a directory's entries in ``strcmp`` order, or
  ``None`` when the path is not a virtual directory.
* :func:`sys_isdir` / :func:`sys_exists` answer ``cd`` and ``test -e/-d``.

What is modelled, in the formats checked on Linux (``tests/differential/test_sysfs.py``):

``/sys/class/net/IF/``
    ``addr_assign_type addr_len address broadcast carrier dev_id dev_port
    dormant flags ifalias ifindex iflink link_mode mtu operstate proto_down
    testing tx_queue_len type``, plus ``bridge/`` and ``brif/`` on a bridge
    and ``brport/`` on a bridge port.  ``carrier``, ``dormant`` and
    ``testing`` fail with ``EINVAL`` while the device is down, as in the
    kernel.  ``flags`` is ``dev->flags`` (so ``IFF_PROMISC``/``IFF_ALLMULTI``
    on a bridge port, never ``IFF_RUNNING``/``IFF_LOWER_UP``).
``/sys/class/net/BR/bridge/``
    ``ageing_time forward_delay hello_time max_age`` (centiseconds),
    ``bridge_id root_id`` (``8000.xxxxxxxxxxxx``), ``group_fwd_mask
    multicast_snooping nf_call_iptables priority root_path_cost root_port
    stp_state``.
``/sys/class/net/BR/brif/PORT`` (a link to ``PORT/brport``) and ``/sys/class/net/PORT/brport/``
    ``broadcast_flood designated_bridge designated_cost designated_port
    designated_root hairpin_mode learning multicast_flood path_cost port_id
    port_no priority state unicast_flood``.
``/proc/sys/net/...``
    the namespace's sysctl model (:class:`~netsim.kernel.sysctl.model.Sysctls`).

Not modelled, and so absent from the listings rather than shown with invented
values: the device files ``carrier_changes carrier_down_count
carrier_up_count duplex gro_flush_timeout name_assign_type
napi_defer_hard_irqs netdev_group speed threaded uevent``, the directories
``power queues statistics`` and the links ``master subsystem upper_*``
(nor ``brport/bridge``); the bridge's timers, ``group_addr``, ``hash_*``,
``multicast_*`` (but ``multicast_snooping``), ``nf_call_arptables``/
``ip6tables``, ``no_linklocal_learn``, ``topology_change*`` and ``flush``;
the port's timers and the remaining ``brport`` flags.  ``/sys`` lists only
``class``, ``/sys/class`` only ``net``, ``/proc`` only ``sys`` and
``/proc/sys`` only ``net``.
"""

from __future__ import annotations

import errno as _errno
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.kernel import Bridge, BridgePort, Link
from netsim.kernel.links.base import IFF_ALLMULTI, IFF_PROMISC, IFF_UP
from netsim.kernel.sysctl import _tables as sysctl_tables
from netsim.kernel.sysctl.keys import SysctlError, split_key
from netsim.shell.procfs import PIDS, ns_node

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["SysfsError", "sys_exists", "sys_isdir", "sys_listdir", "sys_read"]


class SysfsError(Exception):
    """Reading a virtual file failed in the kernel with ``errno`` (``EINVAL``, ``EACCES``)."""

    def __init__(self, errno: int):
        self.errno = errno
        super().__init__(errno)


_NET: Final = "/sys/class/net"
_PROC_SYS: Final = "/proc/sys"
#: Fixed directories -> their (modelled) entries.
_ROOTS: Final = {"/sys": ["class"], "/sys/class": ["net"], "/proc": [*PIDS, "sys"]}
#: ``ARPHRD_*`` of the model's link types.
_ARPHRD: Final = {"ether": 1, "loopback": 772}

_File = Callable[[Link], str]


def _running(read: Callable[[Link], str]) -> _File:
    """A file whose ``show`` function refuses with EINVAL unless ``netif_running()``."""

    def show(dev: Link) -> str:
        if not dev.flags & IFF_UP:
            raise SysfsError(_errno.EINVAL)
        return read(dev)

    return show


def _flags(dev: Link) -> str:
    flags = dev.flags
    if dev.promiscuity:
        flags |= IFF_PROMISC
    if dev.allmulti:
        flags |= IFF_ALLMULTI
    return f"{flags:#x}"


_DEV_FILES: Final[dict[str, _File]] = {
    "addr_assign_type": lambda d: str(int(d.addr_assign_type)),
    "addr_len": lambda d: "6",
    "address": lambda d: str(d.address),
    "broadcast": lambda d: str(d.broadcast),
    "carrier": _running(lambda d: "1" if d.carrier else "0"),
    "dev_id": lambda d: "0x0",
    "dev_port": lambda d: "0",
    "dormant": _running(lambda d: "0"),
    "flags": _flags,
    "ifalias": lambda d: d.ifalias,
    "ifindex": lambda d: str(d.ifindex),
    "iflink": lambda d: str(d.iflink()),
    "link_mode": lambda d: "0",
    "mtu": lambda d: str(d.mtu),
    "operstate": lambda d: d.reported_operstate().name.lower(),
    "proto_down": lambda d: "0",
    "testing": _running(lambda d: "0"),
    "tx_queue_len": lambda d: str(d.txqlen),
    "type": lambda d: str(_ARPHRD.get(d.link_type, 1)),
}


def _bridge_id(br: Bridge) -> str:
    """``br_show_bridge_id()``: ``%.2x%.2x.%.2x%.2x%.2x%.2x%.2x%.2x``."""
    return f"{br.priority:04x}." + br.bridge_id_addr.packed.hex()


def _cs(seconds: float) -> str:
    """A time in centiseconds (``jiffies_to_clock_t``)."""
    return str(round(seconds * 100))


_BRIDGE_FILES: Final[dict[str, Callable[[Bridge], str]]] = {
    "ageing_time": lambda b: _cs(b.ageing_time),
    "bridge_id": _bridge_id,
    "forward_delay": lambda b: _cs(b.forward_delay),
    "group_fwd_mask": lambda b: f"{b.group_fwd_mask:#x}",
    "hello_time": lambda b: _cs(b.hello_time),
    "max_age": lambda b: _cs(b.max_age),
    "multicast_snooping": lambda b: str(b.mcast_snooping),
    "nf_call_iptables": lambda b: str(b.nf_call_iptables),
    "priority": lambda b: str(b.priority),
    "root_id": _bridge_id,  # STP off: the bridge is its own root
    "root_path_cost": lambda b: "0",
    "root_port": lambda b: "0",
    "stp_state": lambda b: str(b.stp_state),
}

_PORT_FILES: Final[dict[str, Callable[[BridgePort], str]]] = {
    "broadcast_flood": lambda p: str(int(p.bcast_flood)),
    "designated_bridge": lambda p: _bridge_id(p.br),
    "designated_cost": lambda p: "0",
    "designated_port": lambda p: str(p.port_id),
    "designated_root": lambda p: _bridge_id(p.br),
    "hairpin_mode": lambda p: str(int(p.hairpin)),
    "learning": lambda p: str(int(p.learning)),
    "multicast_flood": lambda p: str(int(p.mcast_flood)),
    "path_cost": lambda p: str(p.cost),
    "port_id": lambda p: f"{p.port_id:#x}",
    "port_no": lambda p: f"{p.port_no:#x}",
    "priority": lambda p: str(p.priority),
    "state": lambda p: str(int(p.state)),
    "unicast_flood": lambda p: str(int(p.flood)),
}


def _port(dev: Link) -> BridgePort | None:
    port = dev.rx_handler_data
    return port if isinstance(port, BridgePort) else None


def _dev_entries(dev: Link) -> list[str]:
    names = list(_DEV_FILES)
    if isinstance(dev, Bridge):
        names += ["bridge", "brif"]
    if _port(dev) is not None:
        names.append("brport")
    return sorted(names)


# --- /sys/class/net -------------------------------------------------------------------


def _split(path: str, root: str) -> list[str] | None:
    """The components of ``path`` below ``root``, or None when it is not under it."""
    if path == root:
        return []
    if not path.startswith(root + "/"):
        return None
    return [p for p in path[len(root) + 1 :].split("/") if p]


def _node(world: World, netns: str, path: str) -> tuple[str, object] | None:
    """Resolve a ``/sys/class/net`` path: ``("dir", entries)`` or ``("file", text)``.

    Raises :class:`SysfsError` for a file that refuses to be read.
    """
    parts = _split(path, _NET)
    if parts is None:
        return None
    ns = world.netns(netns)
    if not parts:
        return "dir", sorted(d.ifname for d in ns)
    if parts[0] not in ns:
        return None
    dev = ns.dev(parts[0])
    rest = parts[1:]
    if not rest:
        return "dir", _dev_entries(dev)
    name, rest = rest[0], rest[1:]
    if name in _DEV_FILES and not rest:
        text = _DEV_FILES[name](dev)
        # ifalias_show() prints nothing at all (no newline) when there is no alias
        return "file", text + "\n" if text or name != "ifalias" else ""
    if name == "bridge" and isinstance(dev, Bridge):
        if not rest:
            return "dir", sorted(_BRIDGE_FILES)
        if len(rest) == 1 and rest[0] in _BRIDGE_FILES:
            return "file", _BRIDGE_FILES[rest[0]](dev) + "\n"
        return None
    if name == "brif" and isinstance(dev, Bridge):
        ports = {p.dev.ifname: p for p in dev.ports}
        if not rest:
            return "dir", sorted(ports)
        if rest[0] not in ports:
            return None
        return _brport(ports[rest[0]], rest[1:])
    port = _port(dev)
    if name == "brport" and port is not None:
        return _brport(port, rest)
    return None


def _brport(port: BridgePort, rest: list[str]) -> tuple[str, object] | None:
    if not rest:
        return "dir", sorted(_PORT_FILES)
    if len(rest) == 1 and rest[0] in _PORT_FILES:
        return "file", _PORT_FILES[rest[0]](port) + "\n"
    return None


# --- /proc/sys/net --------------------------------------------------------------------


def _proc(world: World, netns: str, path: str) -> tuple[str, object] | None:
    """Resolve a ``/proc/sys`` path through the namespace's sysctl model (as :func:`_node`)."""
    parts = _split(path, _PROC_SYS)
    if parts is None:
        return None
    if not parts:
        return "dir", ["net"]
    if parts[0] != "net":
        return None
    sysctl = world.netns(netns).sysctl
    try:
        return "file", sysctl.get(path) + "\n"
    except SysctlError as e:
        if e.errno == _errno.EACCES:
            raise SysfsError(_errno.EACCES) from None
        if e.errno != _errno.EISDIR:
            return None
    want = split_key(path)
    n = len(want)
    names = {split_key(key)[n] for key in sysctl.dump(path, deprecated=True)}
    names |= {
        key.split(".")[n]
        for key in sysctl_tables.WRITE_ONLY
        if tuple(key.split("."))[:n] == want and len(key.split(".")) > n
    }
    return "dir", sorted(names)


def _lookup(world: World, netns: str, path: str) -> tuple[str, object] | None:
    if path in _ROOTS:
        return "dir", list(_ROOTS[path])
    return _node(world, netns, path) or _proc(world, netns, path) or ns_node(world, netns, path)


# --- the API ------------------------------------------------------------------------------


def sys_read(world: World, netns: str, path: str) -> str | None:
    """The contents of virtual file ``path`` (with its newline), or None if there is none.

    ``ifalias`` of a device without an alias is empty, without a newline, as in the kernel.

    Raises :class:`SysfsError` when the kernel refuses the read (``EINVAL``:
    ``carrier``, ``dormant`` or ``testing`` of a device that is down;
    ``EACCES``: a write-only sysctl); the shell prints
    ``cat: PATH: os.strerror(errno)``.  A directory gives None.
    """
    node = _lookup(world, netns, path)
    if node is not None and node[0] in ("link", "nsfile"):
        raise SysfsError(_errno.EINVAL)  # nsfs: a namespace is no text
    if node is None or node[0] != "file":
        return None
    value = node[1]
    assert isinstance(value, str)
    return value


def sys_readlink(world: World, netns: str, path: str) -> str | None:
    """The target of virtual symbolic link ``path`` (``net:[INUM]``), or None."""
    node = _lookup(world, netns, path)
    return str(node[1]) if node is not None and node[0] == "link" else None


def sys_netns(world: World, netns: str, path: str) -> str | None:
    """The namespace a virtual file stands for (``/proc/PID/ns/net``,
    ``/run/netns/NAME``), or None."""
    node = _lookup(world, netns, path)
    if node is None:
        return None
    if node[0] == "nsfile":
        return str(node[1])
    if node[0] == "link" and str(node[1]).startswith("net:["):
        inum = int(str(node[1])[5:-1])
        return next((n for n, ns in world.kernel.namespaces.items() if ns.inum == inum), None)
    return None


def sys_listdir(world: World, netns: str, path: str) -> list[str] | None:
    """The entries of virtual directory ``path`` in ``strcmp`` order, or None."""
    try:
        node = _lookup(world, netns, path)
    except SysfsError:
        return None
    if node is None or node[0] != "dir":
        return None
    value = node[1]
    assert isinstance(value, list)
    return [str(v) for v in value]


def sys_isdir(world: World, netns: str, path: str) -> bool:
    """Whether ``path`` is a virtual directory."""
    return sys_listdir(world, netns, path) is not None


def sys_exists(world: World, netns: str, path: str) -> bool:
    """Whether ``path`` is a virtual file or directory (an unreadable file exists too)."""
    try:
        return _lookup(world, netns, path) is not None
    except SysfsError:
        return True
