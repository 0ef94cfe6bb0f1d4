"""One network namespace's ``/proc/sys/net`` tree (``net.ipv4``, ``net.ipv6``, ``net.core``, ``net.bridge``).

What the model reproduces, each point checked on Linux 6.18 (``tests/data/sysctl``):

* **Defaults** are those of a fresh non-init namespace (``_defaults.py``,
  generated from ``sysctl -a`` captures).  ``conf/all`` and ``conf/default``
  are copies of init_net's, which were the compiled defaults on the capture
  host (``devconf_inherit_init_net=0``); ``neigh`` has no ``default``
  directory outside init_net.
* **Per-device trees.**  A device registering gets ``net.ipv4.conf.DEV``
  copied from ``conf.default`` *including its record of which keys were
  written* (``inetdev_init`` copies ``struct ipv4_devconf`` whole), plus
  ``net.ipv4.neigh.DEV``, and, if its MTU is at least 1280,
  ``net.ipv6.conf.DEV``/``net.ipv6.neigh.DEV``.  ``lo`` gets
  ``disable_policy``/``disable_xfrm`` = 1 (IPv4) and ``accept_dad``/
  ``use_tempaddr`` = -1 (IPv6).  Unregistering or leaving the namespace
  drops the trees (a device moved in starts again from the new namespace's
  defaults); renaming keeps them.
* **``conf.default`` writes** (other than ``forwarding``) are copied at once to
  every device that never had that key written (``devinet_copy_dflt_conf``);
  a device created after ``conf.default.X`` was written copied the "written"
  mark too, so later ``conf.default.X`` writes pass it by.
* **Forwarding.**  ``ip_forward`` *is* ``conf.all.forwarding``; when its value
  changes, ``conf.default.forwarding`` and every device's ``forwarding`` take
  it and ``conf.all.accept_redirects`` becomes ``!value``
  (``inet_forward_change``).  ``conf.default.forwarding`` and
  ``conf.DEV.forwarding`` change only themselves.  IPv6 ``conf.all.``
  ``forwarding``/``disable_ipv6``/``ignore_routes_with_linkdown``/
  ``addr_gen_mode`` are copied to ``conf.default`` and every device on every
  write; ``conf.all.force_forwarding`` to every device when it changes.
* **Values and errors** as ``sysctl`` prints them, through the kernel's
  handlers (``_procfs.py``): multi-value keys are tab-separated, time keys
  round through jiffies, out-of-range writes fail.
"""

from __future__ import annotations

import errno as _errno
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from netsim.errors import KernelError, NetsimError, NoSuchDevice
from netsim.kernel.sysctl import _defaults as D
from netsim.kernel.sysctl._procfs import (
    HZ,
    Invalid,
    Kind,
    Spec,
    format_bitmap,
    format_value,
    parse_bitmap,
    parse_values,
    store_value,
)

__all__ = ["NeighParams", "SysctlError", "Sysctls", "split_key"]

_PROC: Final = "/proc/sys/"
#: ``SKB_TRUESIZE(ETH_FRAME_LEN)`` on the test kernel: ``unres_qlen=1`` reads back 2090 bytes.
SKB_TRUESIZE_FRAME: Final = 2090
_IPV4_MIN_MTU: Final = 68
_IPV6_MIN_MTU: Final = 1280
#: neigh file -> the ``neigh_parms`` field it shows (several files show one field).
_NEIGH_FIELD: Final = {
    "base_reachable_time_ms": "base_reachable_time",
    "retrans_time_ms": "retrans_time",
    "interval_probe_time_ms": "interval_probe_time",
    "unres_qlen": "unres_qlen_bytes",
}
_FAMILIES: Final = ("ipv4", "ipv6")

Value = int | str | tuple[int, ...] | frozenset[int]


class SysctlError(NetsimError):
    """A read or write ``sysctl`` refuses; ``message`` is the line it prints."""

    def __init__(self, message: str, *, key: str, errno: int):
        self.message = message
        self.key = key
        self.errno = errno
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class NeighParams:
    """A device's ``neigh_parms`` (times in seconds, as the kernel holds them in jiffies)."""

    base_reachable_time: float
    retrans_time: float
    delay_first_probe_time: float
    gc_stale_time: float
    interval_probe_time: float
    anycast_delay: float
    proxy_delay: float
    locktime: float
    ucast_solicit: int
    mcast_solicit: int
    mcast_resolicit: int
    app_solicit: int
    unres_qlen: int
    unres_qlen_bytes: int
    proxy_qlen: int


def split_key(key: str) -> tuple[str, ...]:
    """``net.ipv4.conf.eth0/100.rp_filter``, ``net/ipv4/...`` or ``/proc/sys/net/...`` -> parts.

    As ``sysctl`` reads a name: when the first separator is ``.``, dots
    separate and ``/`` stands for a dot inside a part (``eth0/100`` is device
    ``eth0.100``); when it is ``/``, slashes separate.
    """
    if key.startswith(_PROC):
        parts = key[len(_PROC) :].split("/")
    else:
        first = re.search(r"[./]", key)
        if first is not None and first.group() == "/":
            parts = key.split("/")
        else:
            parts = [p.replace("/", ".") for p in key.split(".")]
    return tuple(p for p in parts if p)


def _dotted(parts: tuple[str, ...]) -> str:
    joined = ".".join(parts)
    if joined.count(".") == len(parts) - 1:
        return joined
    return ".".join(p.replace(".", "/") for p in parts)


def _path(parts: tuple[str, ...]) -> str:
    return _PROC + "/".join(parts)


@functools.cache
def _spec(key: str) -> Spec:
    """Handler of a generic key outside the per-device trees."""
    kind, lo, hi = D.SPECS[key]
    return Spec(Kind(kind), lo, hi)


@functools.cache
def _tree_spec(fam: str, sub: str, dev: str, name: str) -> Spec:
    """Handler of ``net.FAM.SUB.DEV.NAME``: ``all``/``default`` entry, else the ``*`` one."""
    entry = None
    if dev in ("all", "default"):
        entry = D.SPECS.get(f"net.{fam}.{sub}.{dev}.{name}")
    if entry is None:
        entry = D.SPECS[f"net.{fam}.{sub}.*.{name}"]
    kind, lo, hi = entry
    return Spec(Kind(kind), lo, hi)


def _parse1(spec: Spec, text: str) -> int:
    values, _ = parse_values(text, 1)
    return store_value(spec, *values[0])


def _neigh_template(family: str) -> dict[str, int]:
    """``neigh_parms`` fields of a new device, parsed from the captured file texts."""
    out: dict[str, int] = {}
    for name, text in getattr(D, f"{family.upper()}_NEIGH").items():
        field = _NEIGH_FIELD.get(name, name)
        if name == "unres_qlen":
            continue  # unres_qlen_bytes holds it
        out[field] = _parse1(_tree_spec(family, "neigh", "*", name), text)
    return out


_NEIGH_TEMPLATE: Final = {fam: _neigh_template(fam) for fam in _FAMILIES}
_NEIGH_NAMES: Final = {fam: tuple(getattr(D, f"{fam.upper()}_NEIGH")) for fam in _FAMILIES}


@functools.cache
def _conf6_spec(dev: str, name: str) -> Spec:
    """IPv6 conf files are not all plain ints: ``mldv*`` are ms, ``router_*`` seconds."""
    if dev not in ("all", "default") and name in ("mtu", "addr_gen_mode"):
        return Spec(Kind.INT)  # bounds depend on the device, see _write_conf6
    return _tree_spec("ipv6", "conf", dev, name)


def _stored6(dev: str, values: Mapping[str, int]) -> dict[str, int]:
    """Captured texts (as ints) -> the C values the kernel holds (jiffies for times)."""
    out = {}
    for name, v in values.items():
        spec = _conf6_spec(dev, name)
        out[name] = v if spec.kind is Kind.RO else _parse1(spec, str(v))
    return out


_CONF_DEFAULTS: Final = {
    "ipv4": (D.IPV4_CONF_ALL, D.IPV4_CONF_DEFAULT, D.IPV4_CONF_LOOPBACK, D.IPV4_CONF_DEVICE),
    "ipv6": (
        _stored6("all", D.IPV6_CONF_ALL),
        _stored6("default", D.IPV6_CONF_DEFAULT),
        _stored6("lo", D.IPV6_CONF_LOOPBACK),
        _stored6("lo", D.IPV6_CONF_DEVICE),
    ),
}
#: Written through ``ipv4_doint_and_flush``: no "written" mark, no copy from conf.default.
_FLUSHING4: Final = frozenset(
    {"disable_xfrm", "disable_policy", "promote_secondaries", "route_localnet",
     "drop_unicast_in_l2_multicast"}
)  # fmt: skip
#: Directories holding scalar keys (``net``, ``net.ipv4``, ``net.ipv4.route`` ...).
_SCALAR_DIRS: Final = frozenset(
    parts[:n]
    for key in D.SCALARS
    for parts in [tuple(key.split("."))]
    for n in range(1, len(parts))
)
#: ``net.ipv4.route.flush``: write-only, any write flushes the routing cache.
_WRITE_ONLY: Final = frozenset({"net.ipv4.route.flush"})


_SCALAR_PARTS: Final = tuple((tuple(key.split(".")), key) for key in D.SCALARS)


def _neigh_text(fam: str, name: str, neigh: dict[str, int]) -> str:
    field = _NEIGH_FIELD.get(name, name)
    if name == "unres_qlen":
        return str(neigh[field] // SKB_TRUESIZE_FRAME)
    return format_value(_tree_spec(fam, "neigh", "*", name), neigh[field])


@dataclass(slots=True)
class _Device:
    loopback: bool
    mtu: int


class Sysctls:
    """The sysctl tree of one namespace.  Devices come and go through :meth:`add_device` etc."""

    def __init__(self) -> None:
        self._scalars: dict[str, Value] = {}
        for key, text in D.SCALARS.items():
            self._scalars[key] = self._parse_default(key, text)
        all4, dflt4, _, _ = _CONF_DEFAULTS["ipv4"]
        all6, dflt6, _, _ = _CONF_DEFAULTS["ipv6"]
        self._all4: dict[str, int] = dict(all4)
        self._dflt4: dict[str, int] = dict(dflt4)
        self._all6: dict[str, int] = dict(all6)
        self._dflt6: dict[str, int] = dict(dflt6)
        #: keys written in conf.default (copied to new devices with the values)
        self._dflt4_set: set[str] = set()
        self._devices: dict[str, _Device] = {}
        self._conf4: dict[str, dict[str, int]] = {}
        self._conf4_set: dict[str, set[str]] = {}
        self._conf6: dict[str, dict[str, int]] = {}
        self._neigh: dict[str, dict[str, dict[str, int]]] = {fam: {} for fam in _FAMILIES}

    def _parse_default(self, key: str, text: str) -> Value:
        special = _SCALAR_FORMS.get(key)
        if special is not None:
            return special[0](text)
        if key == "net.ipv4.ip_forward":
            return 0  # an alias of conf.all.forwarding, never read from here
        spec = _spec(key)
        if spec.kind is Kind.RO:
            return text
        return _parse1(spec, text)

    # --- devices --------------------------------------------------------------------

    @property
    def devices(self) -> list[str]:
        return list(self._devices)

    def add_device(self, ifname: str, *, loopback: bool = False, mtu: int | None = None) -> None:
        """A device registered here (``NETDEV_REGISTER``): create its trees.

        ``mtu`` defaults to 65536 for a loopback and 1500 otherwise.  The names
        ``all`` and ``default`` are refused, as ``devinet_sysctl_register`` does
        (``RTNETLINK answers: Invalid argument``).
        """
        if ifname in ("all", "default"):
            raise KernelError(_errno.EINVAL)
        if ifname in self._devices:
            raise KernelError(_errno.EEXIST)
        if mtu is None:
            mtu = 65536 if loopback else 1500
        self._devices[ifname] = _Device(loopback, mtu)
        self._create_ipv4(ifname)
        self._create_ipv6(ifname)

    def remove_device(self, ifname: str) -> None:
        """The device unregistered or left for another namespace: drop its trees."""
        if ifname not in self._devices:
            raise NoSuchDevice(ifname)
        del self._devices[ifname]
        for table in (self._conf4, self._conf4_set, self._conf6, *self._neigh.values()):
            table.pop(ifname, None)

    def rename_device(self, old: str, new: str) -> None:
        """``ip link set OLD name NEW``: the trees move with every value kept."""
        if old not in self._devices:
            raise NoSuchDevice(old)
        if new == old:
            return
        if new in ("all", "default"):
            raise KernelError(_errno.EINVAL)
        if new in self._devices:
            raise KernelError(_errno.EEXIST)
        for table in (
            self._devices,
            self._conf4,
            self._conf4_set,
            self._conf6,
            *self._neigh.values(),
        ):
            if old in table:
                table[new] = table.pop(old)  # type: ignore[attr-defined]

    def set_mtu(self, ifname: str, mtu: int) -> None:
        """``NETDEV_CHANGEMTU``: IPv6 leaves a device below 1280 and comes back fresh; IPv4 below 68."""
        try:
            dev = self._devices[ifname]
        except KeyError:
            raise NoSuchDevice(ifname) from None
        dev.mtu = mtu
        if mtu < _IPV4_MIN_MTU:
            for table in (self._conf4, self._conf4_set, self._neigh["ipv4"]):
                table.pop(ifname, None)
        elif ifname not in self._conf4:
            self._create_ipv4(ifname)
        if mtu < _IPV6_MIN_MTU:
            self._conf6.pop(ifname, None)
            self._neigh["ipv6"].pop(ifname, None)
        elif ifname in self._conf6:
            self._conf6[ifname]["mtu"] = mtu
        else:
            self._create_ipv6(ifname)

    def _create_ipv4(self, ifname: str) -> None:
        dev = self._devices[ifname]
        if dev.mtu < _IPV4_MIN_MTU:
            return
        conf = dict(self._dflt4)
        written = set(self._dflt4_set)
        _, _, lo_over, dev_over = _CONF_DEFAULTS["ipv4"]
        over = lo_over if dev.loopback else dev_over
        conf.update(over)  # IN_DEV_CONF_SET(): value and "written" mark
        written.update(over)
        self._conf4[ifname] = conf
        self._conf4_set[ifname] = written
        self._neigh["ipv4"][ifname] = dict(_NEIGH_TEMPLATE["ipv4"])

    def _create_ipv6(self, ifname: str) -> None:
        dev = self._devices[ifname]
        if dev.mtu < _IPV6_MIN_MTU:
            return
        _, _, lo_over, dev_over = _CONF_DEFAULTS["ipv6"]
        conf = dict(self._dflt6)
        conf.update(lo_over if dev.loopback else dev_over)
        conf["mtu"] = dev.mtu
        self._conf6[ifname] = conf
        self._neigh["ipv6"][ifname] = dict(_NEIGH_TEMPLATE["ipv6"])

    # --- reading ----------------------------------------------------------------------

    def get(self, key: str) -> str:
        """What ``sysctl -n KEY`` prints (``KEY`` as sysctl names it or a /proc/sys path)."""
        parts = split_key(key)
        value = self._read(parts)
        if value is None:
            if self._is_dir(parts):
                raise SysctlError(
                    f'sysctl: reading key "{_dotted(parts)}": Is a directory',
                    key=_dotted(parts),
                    errno=_errno.EISDIR,
                )
            if ".".join(parts) in _WRITE_ONLY:
                # sysctl skips a file it may not read and prints nothing
                raise SysctlError("", key=_dotted(parts), errno=_errno.EACCES)
            raise self._no_such(parts)
        return value

    def get_int(self, key: str) -> int:
        """:meth:`get` of a one-number key, as an int."""
        return int(self.get(key))

    def lines(self, prefix: str = "net", *, deprecated: bool = False) -> list[str]:
        """``sysctl -a`` (or ``sysctl PREFIX`` for a directory): ``key = value`` lines, in its order."""
        return [f"{k} = {v}" for k, v in self.dump(prefix, deprecated=deprecated).items()]

    def dump(self, prefix: str = "net", *, deprecated: bool = False) -> dict[str, str]:
        """Every readable key under ``prefix`` -> value, in ``sysctl -a`` order.

        ``sysctl`` walks each directory in ``strcmp`` order of the file names,
        so ``conf.v`` < ``conf.v-a`` < ``conf.v.b`` (shown ``v/b``) < ``conf.v_c``.
        ``deprecated=True`` adds what ``sysctl -a --deprecated`` adds
        (``neigh.DEV.base_reachable_time`` and ``retrans_time``).
        """
        want = split_key(prefix)
        n = len(want)
        rows = [row for row in self._rows(deprecated, want) if row[0][:n] == want]
        if not rows and not self._is_dir(want) and self._read(want) is None:
            raise self._no_such(want)
        rows.sort(key=lambda r: r[0])
        return {_dotted(p): v for p, v in rows}

    def _rows(
        self, deprecated: bool, want: tuple[str, ...] = ()
    ) -> Iterator[tuple[tuple[str, ...], str]]:
        """(parts, value) of every readable file that may lie under ``want``, unordered."""

        def under(parts: tuple[str, ...]) -> bool:
            n = min(len(parts), len(want))
            return parts[:n] == want[:n]

        for parts, key in _SCALAR_PARTS:
            if under(parts):
                value = self._read(parts)
                assert value is not None
                yield parts, value
        for fam, trees in (
            ("ipv4", {"all": self._all4, "default": self._dflt4, **self._conf4}),
            ("ipv6", {"all": self._all6, "default": self._dflt6, **self._conf6}),
        ):
            if under(("net", fam, "conf")):
                for dev, conf in trees.items():
                    if fam == "ipv4":
                        for name, v in conf.items():
                            yield ("net", fam, "conf", dev, name), str(v)
                    else:
                        for name, v in conf.items():
                            text = format_value(_conf6_spec(dev, name), v)
                            yield ("net", fam, "conf", dev, name), text
            if under(("net", fam, "neigh")):
                for dev, neigh in self._neigh[fam].items():
                    for name in _NEIGH_NAMES[fam]:
                        if deprecated or name not in D.DEPRECATED:
                            yield ("net", fam, "neigh", dev, name), _neigh_text(fam, name, neigh)

    def _is_dir(self, parts: tuple[str, ...]) -> bool:
        if parts in _SCALAR_DIRS or parts == ():
            return True
        if len(parts) == 3 and parts[1] in _FAMILIES and parts[2] in ("conf", "neigh"):
            return True
        if len(parts) == 4 and parts[1] in _FAMILIES:
            if parts[2] == "conf":
                return parts[3] in ("all", "default") or parts[3] in (
                    self._conf4 if parts[1] == "ipv4" else self._conf6
                )
            if parts[2] == "neigh":
                return parts[3] in self._neigh[parts[1]]
        return False

    def _tree(self, fam: str, dev: str) -> dict[str, int] | None:
        if fam == "ipv4":
            if dev == "all":
                return self._all4
            return self._dflt4 if dev == "default" else self._conf4.get(dev)
        if dev == "all":
            return self._all6
        return self._dflt6 if dev == "default" else self._conf6.get(dev)

    def _read(self, parts: tuple[str, ...]) -> str | None:
        if len(parts) == 5 and parts[0] == "net" and parts[1] in _FAMILIES:
            fam, sub, dev, name = parts[1:]
            if sub == "conf":
                conf = self._tree(fam, dev)
                if conf is None or name not in conf:
                    return None
                if fam == "ipv4":
                    return str(conf[name])
                return format_value(_conf6_spec(dev, name), conf[name])
            if sub == "neigh":
                neigh = self._neigh[fam].get(dev)
                if neigh is None or name not in _NEIGH_NAMES[fam]:
                    return None
                return _neigh_text(fam, name, neigh)
        key = ".".join(parts)
        if key == "net.ipv4.ip_forward":
            return str(self._all4["forwarding"])
        value = self._scalars.get(key)
        if value is None:
            return None
        special = _SCALAR_FORMS.get(key)
        if special is not None:
            return special[1](value)
        if isinstance(value, str):
            return value
        assert isinstance(value, int)
        return format_value(_spec(key), value)

    # --- writing ----------------------------------------------------------------------

    def set(self, key: str, value: str | int) -> None:
        """``sysctl -w KEY=VALUE``.  Raises :class:`SysctlError` with sysctl's message."""
        parts = split_key(key)
        text = str(value)
        try:
            self._write(parts, text)
        except Invalid as e:
            shown = _dotted(parts)
            # A read-only file fails with EACCES, but procps finds it by its mode
            # first and prints "Invalid argument" (a stale errno) for it.
            reason = os.strerror(_errno.EINVAL if e.errno == _errno.EACCES else e.errno)
            raise SysctlError(
                f'sysctl: setting key "{shown}": {reason}', key=shown, errno=e.errno
            ) from None

    def write(self, key: str, value: str | int) -> str:
        """:meth:`set`, returning the line ``sysctl -w`` echoes (the value as given)."""
        self.set(key, value)
        return f"{_dotted(split_key(key))} = {value}"

    def _write(self, parts: tuple[str, ...], text: str) -> None:
        key = ".".join(parts)
        if len(parts) == 5 and parts[0] == "net" and parts[1] in _FAMILIES:
            fam, sub, dev, name = parts[1:]
            if sub == "conf" and (conf := self._tree(fam, dev)) is not None and name in conf:
                if fam == "ipv4":
                    self._write_conf4(dev, name, conf, text)
                else:
                    self._write_conf6(dev, name, conf, text)
                return
            if sub == "neigh" and dev in self._neigh[fam] and name in _NEIGH_NAMES[fam]:
                self._write_neigh(fam, dev, name, text)
                return
        if key == "net.ipv4.ip_forward":
            self._write_conf4("all", "forwarding", self._all4, text)
            return
        if key in _WRITE_ONLY:
            return
        if key in self._scalars:
            self._write_scalar(key, text)
            return
        if self._is_dir(parts):
            raise Invalid(_errno.EINVAL)
        raise self._no_such(parts)

    def _no_such(self, parts: tuple[str, ...]) -> SysctlError:
        return SysctlError(
            f"sysctl: cannot stat {_path(parts)}: No such file or directory",
            key=_dotted(parts),
            errno=_errno.ENOENT,
        )

    def _write_conf4(self, dev: str, name: str, conf: dict[str, int], text: str) -> None:
        spec = _tree_spec("ipv4", "conf", dev, name)
        if spec.kind is Kind.RO:
            raise Invalid(_errno.EACCES)
        new = _parse1(spec, text)
        if name == "forwarding":  # devinet_sysctl_forward
            old = conf[name]
            conf[name] = new
            if dev == "all" and new != old:  # inet_forward_change()
                self._all4["accept_redirects"] = int(not new)
                self._dflt4["forwarding"] = new
                for ifname, dconf in self._conf4.items():
                    dconf["forwarding"] = new
                    self._conf4_set[ifname].add("forwarding")
            return
        conf[name] = new
        if name in _FLUSHING4:
            return
        # devinet_conf_proc
        if dev == "default":
            self._dflt4_set.add(name)
            for ifname, dconf in self._conf4.items():  # devinet_copy_dflt_conf()
                if name not in self._conf4_set[ifname]:
                    dconf[name] = new
        elif dev != "all":
            self._conf4_set[dev].add(name)

    def _write_conf6(self, dev: str, name: str, conf: dict[str, int], text: str) -> None:
        if dev in ("all", "default"):
            spec = _conf6_spec(dev, name)
        elif name == "mtu":
            spec = Spec(Kind.INT, _IPV6_MIN_MTU, self._devices[dev].mtu)
        elif name == "addr_gen_mode":
            # mode 2 (stable privacy) needs a stable_secret, which the model never has
            spec = Spec(Kind.UINT, 0, 3)
            if _parse1(spec, text) == 2:
                raise Invalid(_errno.EINVAL)
        else:
            spec = _conf6_spec(dev, name)
        if spec.kind is Kind.RO:
            raise Invalid(_errno.EACCES)
        new = _parse1(spec, text)
        old = conf[name]
        conf[name] = new
        if dev != "all":
            return
        if name in ("forwarding", "disable_ipv6", "ignore_routes_with_linkdown", "addr_gen_mode"):
            self._dflt6[name] = new
            for dconf in self._conf6.values():
                dconf[name] = new
        elif name == "force_forwarding" and new != old:
            for dconf in self._conf6.values():
                dconf[name] = new

    def _write_neigh(self, fam: str, dev: str, name: str, text: str) -> None:
        neigh = self._neigh[fam][dev]
        new = _parse1(_tree_spec(fam, "neigh", "*", name), text)
        if name == "unres_qlen":
            new *= SKB_TRUESIZE_FRAME
        neigh[_NEIGH_FIELD.get(name, name)] = new

    def _write_scalar(self, key: str, text: str) -> None:
        special = _SCALAR_WRITERS.get(key)
        if special is not None:
            special(self, key, text)
            return
        spec = _spec(key)
        if spec.kind is Kind.RO:
            raise Invalid(_errno.EACCES)
        self._scalars[key] = _parse1(spec, text)

    # --- effective values (include/linux/inetdevice.h) --------------------------------

    def _dev4(self, dev: str) -> dict[str, int]:
        try:
            return self._conf4[dev]
        except KeyError:
            raise NoSuchDevice(dev) from None

    def ipv4_conf(self, dev: str) -> Mapping[str, int]:
        """``net.ipv4.conf.DEV`` (or ``all``/``default``) as stored, read-only."""
        conf = self._tree("ipv4", dev)
        if conf is None:
            raise NoSuchDevice(dev)
        return MappingProxyType(conf)

    def ipv6_conf(self, dev: str) -> Mapping[str, int]:
        """``net.ipv6.conf.DEV`` (or ``all``/``default``); NoSuchDevice when it has no IPv6."""
        conf = self._tree("ipv6", dev)
        if conf is None:
            raise NoSuchDevice(dev)
        return MappingProxyType(conf)

    @property
    def ip_forward(self) -> bool:
        return self._all4["forwarding"] != 0

    def forwarding(self, dev: str) -> bool:
        """``IN_DEV_FORWARD``: the device's own ``forwarding``."""
        return self._dev4(dev)["forwarding"] != 0

    def rp_filter(self, dev: str) -> int:
        """``IN_DEV_RPFILTER`` = max(all, dev)."""
        return max(self._all4["rp_filter"], self._dev4(dev)["rp_filter"])

    def arp_ignore(self, dev: str) -> int:
        """``IN_DEV_ARP_IGNORE`` = max(all, dev)."""
        return max(self._all4["arp_ignore"], self._dev4(dev)["arp_ignore"])

    def arp_announce(self, dev: str) -> int:
        """``IN_DEV_ARP_ANNOUNCE`` = max(all, dev)."""
        return max(self._all4["arp_announce"], self._dev4(dev)["arp_announce"])

    def arp_accept(self, dev: str) -> int:
        """``IN_DEV_ARP_ACCEPT`` = max(all, dev)."""
        return max(self._all4["arp_accept"], self._dev4(dev)["arp_accept"])

    def arp_notify(self, dev: str) -> int:
        """``IN_DEV_ARP_NOTIFY`` = max(all, dev)."""
        return max(self._all4["arp_notify"], self._dev4(dev)["arp_notify"])

    def _or(self, dev: str, name: str) -> bool:
        return bool(self._all4[name] or self._dev4(dev)[name])

    def _and(self, dev: str, name: str) -> bool:
        return bool(self._all4[name] and self._dev4(dev)[name])

    def arp_filter(self, dev: str) -> bool:
        """``IN_DEV_ARPFILTER`` = all || dev."""
        return self._or(dev, "arp_filter")

    def proxy_arp(self, dev: str) -> bool:
        """``IN_DEV_PROXY_ARP`` = all || dev."""
        return self._or(dev, "proxy_arp")

    def proxy_arp_pvlan(self, dev: str) -> bool:
        """``IN_DEV_PROXY_ARP_PVLAN`` = all || dev."""
        return self._or(dev, "proxy_arp_pvlan")

    def accept_local(self, dev: str) -> bool:
        """``IN_DEV_ACCEPT_LOCAL`` = all || dev."""
        return self._or(dev, "accept_local")

    def route_localnet(self, dev: str) -> bool:
        """``IN_DEV_ROUTE_LOCALNET`` = all || dev."""
        return self._or(dev, "route_localnet")

    def send_redirects(self, dev: str) -> bool:
        """``IN_DEV_TX_REDIRECTS`` = all || dev."""
        return self._or(dev, "send_redirects")

    def secure_redirects(self, dev: str) -> bool:
        """``IN_DEV_SEC_REDIRECTS`` = all || dev."""
        return self._or(dev, "secure_redirects")

    def shared_media(self, dev: str) -> bool:
        """``IN_DEV_SHARED_MEDIA`` = all || dev."""
        return self._or(dev, "shared_media")

    def log_martians(self, dev: str) -> bool:
        """``IN_DEV_LOG_MARTIANS`` = all || dev."""
        return self._or(dev, "log_martians")

    def src_valid_mark(self, dev: str) -> bool:
        """``IN_DEV_SRC_VMARK`` = all || dev."""
        return self._or(dev, "src_valid_mark")

    def promote_secondaries(self, dev: str) -> bool:
        """``IN_DEV_PROMOTE_SECONDARIES`` = all || dev."""
        return self._or(dev, "promote_secondaries")

    def ignore_routes_with_linkdown(self, dev: str) -> bool:
        """``IN_DEV_IGNORE_ROUTES_WITH_LINKDOWN`` = all || dev."""
        return self._or(dev, "ignore_routes_with_linkdown")

    def drop_gratuitous_arp(self, dev: str) -> bool:
        """``IN_DEV_ORCONF(DROP_GRATUITOUS_ARP)`` (arp_process)."""
        return self._or(dev, "drop_gratuitous_arp")

    def drop_unicast_in_l2_multicast(self, dev: str) -> bool:
        """``IN_DEV_ORCONF(DROP_UNICAST_IN_L2_MULTICAST)`` (ip_rcv_finish_core)."""
        return self._or(dev, "drop_unicast_in_l2_multicast")

    def accept_source_route(self, dev: str) -> bool:
        """``IN_DEV_SOURCE_ROUTE`` = all && dev."""
        return self._and(dev, "accept_source_route")

    def bootp_relay(self, dev: str) -> bool:
        """``IN_DEV_BOOTP_RELAY`` = all && dev."""
        return self._and(dev, "bootp_relay")

    def bc_forwarding(self, dev: str) -> bool:
        """``IN_DEV_BFORWARD`` = all && dev."""
        return self._and(dev, "bc_forwarding")

    def mc_forwarding(self, dev: str) -> bool:
        """``IN_DEV_MFORWARD`` = all && dev."""
        return self._and(dev, "mc_forwarding")

    def arp_evict_nocarrier(self, dev: str) -> bool:
        """``IN_DEV_ARP_EVICT_NOCARRIER`` = all && dev."""
        return self._and(dev, "arp_evict_nocarrier")

    def accept_redirects(self, dev: str) -> bool:
        """``IN_DEV_RX_REDIRECTS``: all && dev when the device forwards, else all || dev."""
        conf = self._dev4(dev)
        if conf["forwarding"]:
            return bool(self._all4["accept_redirects"] and conf["accept_redirects"])
        return bool(self._all4["accept_redirects"] or conf["accept_redirects"])

    def ipv6_enabled(self, dev: str) -> bool:
        """The device has IPv6 (MTU >= 1280) and its own ``disable_ipv6`` is 0."""
        conf = self._conf6.get(dev)
        if conf is None:
            if dev not in self._devices:
                raise NoSuchDevice(dev)
            return False
        return conf["disable_ipv6"] == 0

    def ipv6_forwarding(self, dev: str) -> bool:
        """``idev->cnf.forwarding`` (False for a device without IPv6)."""
        conf = self._conf6.get(dev)
        return bool(conf and conf["forwarding"])

    def neigh_params(self, dev: str, family: str = "ipv4") -> NeighParams:
        """``net.<family>.neigh.DEV.*`` as the neighbour code uses them."""
        try:
            n = self._neigh[family][dev]
        except KeyError:
            raise NoSuchDevice(dev) from None
        return NeighParams(
            base_reachable_time=n["base_reachable_time"] / HZ,
            retrans_time=n["retrans_time"] / HZ,
            delay_first_probe_time=n["delay_first_probe_time"] / HZ,
            gc_stale_time=n["gc_stale_time"] / HZ,
            interval_probe_time=n["interval_probe_time"] / HZ,
            anycast_delay=n["anycast_delay"] / HZ,
            proxy_delay=n["proxy_delay"] / HZ,
            locktime=n["locktime"] / HZ,
            ucast_solicit=n["ucast_solicit"],
            mcast_solicit=n["mcast_solicit"],
            mcast_resolicit=n["mcast_resolicit"],
            app_solicit=n["app_solicit"],
            unres_qlen=n["unres_qlen_bytes"] // SKB_TRUESIZE_FRAME,
            unres_qlen_bytes=n["unres_qlen_bytes"],
            proxy_qlen=n["proxy_qlen"],
        )

    def _int(self, key: str) -> int:
        value = self._scalars[key]
        assert isinstance(value, int)
        return value

    @property
    def ip_default_ttl(self) -> int:
        return self._int("net.ipv4.ip_default_ttl")

    @property
    def ip_local_port_range(self) -> tuple[int, int]:
        lo, hi = self._scalars["net.ipv4.ip_local_port_range"]  # type: ignore[misc]
        return lo, hi

    @property
    def ping_group_range(self) -> tuple[int, int]:
        lo, hi = self._scalars["net.ipv4.ping_group_range"]  # type: ignore[misc]
        return lo, hi

    @property
    def icmp_echo_ignore_all(self) -> bool:
        return self._int("net.ipv4.icmp_echo_ignore_all") != 0

    @property
    def icmp_echo_ignore_broadcasts(self) -> bool:
        return self._int("net.ipv4.icmp_echo_ignore_broadcasts") != 0

    @property
    def icmp_ratelimit(self) -> float:
        """Seconds between ICMP errors per destination (the sysctl is in ms, held in jiffies)."""
        return self._int("net.ipv4.icmp_ratelimit") / HZ

    @property
    def icmp_ratemask(self) -> int:
        return self._int("net.ipv4.icmp_ratemask")

    @property
    def icmp_msgs_per_sec(self) -> int:
        return self._int("net.ipv4.icmp_msgs_per_sec")

    @property
    def icmp_msgs_burst(self) -> int:
        return self._int("net.ipv4.icmp_msgs_burst")

    @property
    def ip_nonlocal_bind(self) -> bool:
        return self._int("net.ipv4.ip_nonlocal_bind") != 0

    def bridge_nf_call(self, family: str = "iptables") -> bool:
        """``net.bridge.bridge-nf-call-{iptables,ip6tables,arptables}``."""
        return self._int(f"net.bridge.bridge-nf-call-{family}") != 0


# --- keys with their own handler ----------------------------------------------------------


def _vec(count: int, spec: Spec, current: tuple[int, ...], text: str) -> tuple[int, ...]:
    """Numbers written into a local copy of an array: any error leaves the key unchanged."""
    values, failed = parse_values(text, count)
    out = list(current)
    for i, (neg, v) in enumerate(values):
        out[i] = store_value(spec, neg, v)
    if failed:
        raise Invalid
    return tuple(out)


def _w_port_range(self: Sysctls, key: str, text: str) -> None:
    """``ipv4_local_port_range``: 1..65535 each, low <= high, low >= ip_unprivileged_port_start."""
    cur = self._scalars[key]
    assert isinstance(cur, tuple)
    lo, hi = _vec(2, Spec(Kind.INT, 1, 65535), cur, text)
    if hi < lo or lo < self._int("net.ipv4.ip_unprivileged_port_start"):
        raise Invalid
    self._scalars[key] = (lo, hi)


def _w_ping_group(self: Sysctls, key: str, text: str) -> None:
    """``ipv4_ping_group_range`` (gids of the initial user namespace); high < low means off."""
    cur = self._scalars[key]
    assert isinstance(cur, tuple)
    lo, hi = _vec(2, Spec(Kind.ULONG, 0, 2**32 - 2), cur, text)
    self._scalars[key] = (1, 0) if hi < lo else (lo, hi)


def _w_tcp_mem(self: Sysctls, key: str, text: str) -> None:
    """``proc_dointvec_minmax`` on the array itself: values before an error stay written."""
    cur = self._scalars[key]
    assert isinstance(cur, tuple)
    out = list(cur)
    values, failed = parse_values(text, 3)
    try:
        for i, (neg, v) in enumerate(values):
            out[i] = store_value(Spec(Kind.INT, 1, None), neg, v)
    finally:
        self._scalars[key] = tuple(out)
    if failed:
        raise Invalid


def _bitmap(nbits: int) -> Callable[[Sysctls, str, str], None]:
    def write(self: Sysctls, key: str, text: str) -> None:
        self._scalars[key] = frozenset(parse_bitmap(text, nbits))

    return write


def _w_congestion(self: Sysctls, key: str, text: str) -> None:
    """Unknown name: ENOENT; one not in the allowed list: EPERM outside init_net."""
    name = text.split("\n", 1)[0][:15]  # proc_dostring, TCP_CA_NAME_MAX
    allowed = str(self._scalars["net.ipv4.tcp_allowed_congestion_control"]).split()
    available = str(self._scalars["net.ipv4.tcp_available_congestion_control"]).split()
    if name not in available:
        raise Invalid(_errno.ENOENT)
    if name not in allowed:
        raise Invalid(_errno.EPERM)
    self._scalars[key] = name


_KEY_RE: Final = re.compile(r"\s*" + r"-".join([r"([0-9a-fA-F]{1,8})"] * 4) + r"\s*")


def _w_fastopen_key(self: Sysctls, key: str, text: str) -> None:
    """``proc_tcp_fastopen_key``: ``%x-%x-%x-%x`` (a backup key after a comma)."""
    keys = []
    for part in text.split(",")[:2]:
        m = _KEY_RE.fullmatch(part)
        if m is None:
            raise Invalid
        keys.append("-".join(f"{int(g, 16):08x}" for g in m.groups()))
    self._scalars[key] = ",".join(keys)


def _w_frag(low: str, high: str) -> Callable[[Sysctls, str, str], None]:
    """``ipfrag_low_thresh`` <= ``ipfrag_high_thresh``, each bounded by the other."""

    def write(self: Sysctls, key: str, text: str) -> None:
        if key == low:
            spec = Spec(Kind.ULONG, 0, self._int(high))
        else:
            spec = Spec(Kind.ULONG, self._int(low), None)
        self._scalars[key] = _parse1(spec, text)

    return write


def _w_unpriv_port(self: Sysctls, key: str, text: str) -> None:
    """``ipv4_privileged_ports``: 0..65535 and not above the local port range's low end."""
    new = _parse1(Spec(Kind.INT, 0, 65535), text)
    if self.ip_local_port_range[0] < new:
        raise Invalid
    self._scalars[key] = new


def _tabbed(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split("\t"))


def _untab(value: Value) -> str:
    assert isinstance(value, tuple)
    return "\t".join(str(v) for v in value)


def _bits(value: Value) -> str:
    assert isinstance(value, frozenset)
    return format_bitmap(value)


def _text(value: Value) -> str:
    return str(value)


_SCALAR_FORMS: Final[dict[str, tuple[Callable[[str], Value], Callable[[Value], str]]]] = {
    "net.ipv4.ip_local_port_range": (_tabbed, _untab),
    "net.ipv4.ping_group_range": (_tabbed, _untab),
    "net.ipv4.tcp_rmem": (_tabbed, _untab),
    "net.ipv4.tcp_wmem": (_tabbed, _untab),
    "net.ipv4.ip_local_reserved_ports": (lambda t: frozenset(parse_bitmap(t, 65536)), _bits),
    "net.ipv6.icmp.ratemask": (lambda t: frozenset(parse_bitmap(t, 256)), _bits),
    "net.ipv4.tcp_congestion_control": (str, _text),
    "net.ipv4.tcp_fastopen_key": (str, _text),
    "net.ipv4.ipfrag_high_thresh": (int, _text),
    "net.ipv4.ipfrag_low_thresh": (int, _text),
    "net.ipv6.ip6frag_high_thresh": (int, _text),
    "net.ipv6.ip6frag_low_thresh": (int, _text),
    "net.ipv4.ip_unprivileged_port_start": (int, _text),
}
_SCALAR_WRITERS: Final[dict[str, Callable[[Sysctls, str, str], None]]] = {
    "net.ipv4.ip_local_port_range": _w_port_range,
    "net.ipv4.ping_group_range": _w_ping_group,
    "net.ipv4.tcp_rmem": _w_tcp_mem,
    "net.ipv4.tcp_wmem": _w_tcp_mem,
    "net.ipv4.ip_local_reserved_ports": _bitmap(65536),
    "net.ipv6.icmp.ratemask": _bitmap(256),
    "net.ipv4.tcp_congestion_control": _w_congestion,
    "net.ipv4.tcp_fastopen_key": _w_fastopen_key,
    "net.ipv4.ipfrag_high_thresh": _w_frag(
        "net.ipv4.ipfrag_low_thresh", "net.ipv4.ipfrag_high_thresh"
    ),
    "net.ipv4.ipfrag_low_thresh": _w_frag(
        "net.ipv4.ipfrag_low_thresh", "net.ipv4.ipfrag_high_thresh"
    ),
    "net.ipv6.ip6frag_high_thresh": _w_frag(
        "net.ipv6.ip6frag_low_thresh", "net.ipv6.ip6frag_high_thresh"
    ),
    "net.ipv6.ip6frag_low_thresh": _w_frag(
        "net.ipv6.ip6frag_low_thresh", "net.ipv6.ip6frag_high_thresh"
    ),
    "net.ipv4.ip_unprivileged_port_start": _w_unpriv_port,
}
