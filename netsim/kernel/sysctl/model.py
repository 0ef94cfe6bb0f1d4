"""One network namespace's ``/proc/sys/net`` tree (ipv4, ipv6, core, bridge).

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
* **``conf.default`` writes** (except ``forwarding`` and the five keys of
  ``FLUSHING4``) are copied at once to every device that never had that key
  written (``devinet_copy_dflt_conf``); a device created after
  ``conf.default.X`` was written copied the "written" mark too, so later
  ``conf.default.X`` writes pass it by.  A write the kernel refuses
  (``rp_filter=abc``) still marks the key written, on ``default`` as on a
  device.
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
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from netsim.errors import KernelError, NoSuchDevice
from netsim.kernel.sysctl import _tables as T
from netsim.kernel.sysctl._procfs import Invalid, Kind, Spec
from netsim.kernel.sysctl._scalars import SPECIAL, Scalars, tcp_mem
from netsim.kernel.sysctl.build import DEFAULT_BUILD, KernelBuild
from netsim.kernel.sysctl.cow import is_shared
from netsim.kernel.sysctl.cow import own as _own
from netsim.kernel.sysctl.cow import shared as _shared
from netsim.kernel.sysctl.cow import shared_scalars as _shared_scalars
from netsim.kernel.sysctl.effective import Effective, NeighParams
from netsim.kernel.sysctl.keys import SysctlError, _dotted, split_key
from netsim.kernel.sysctl.read import Reader

__all__ = ["NeighParams", "SysctlError", "Sysctls", "split_key"]

_BLANKS: Final = " \t\n\v\f\r"  # isspace()


class Sysctls(Reader, Effective):
    """The sysctl tree of one namespace; devices come and go through :meth:`add_device` etc.

    A new instance holds no device: register ``lo`` with
    ``add_device("lo", loopback=True)`` as the namespace's own ``lo`` appears.
    ``build`` is the kernel build whose tree it is (:mod:`.build`).
    """

    def __init__(self, *, build: KernelBuild = DEFAULT_BUILD) -> None:
        self.build: Final = build
        self._special = SPECIAL  # read only: shared unless the build changes a handler
        if build.tcp_rmem_min != 1:
            parse, show, _ = SPECIAL["net.ipv4.tcp_rmem"]
            rmem = (parse, show, tcp_mem(build.tcp_rmem_min))
            self._special = {**SPECIAL, "net.ipv4.tcp_rmem": rmem}
        self._absent6 = build.conf6_absent()
        #: The keys outside the device trees: the shared defaults until the first
        #: write (:meth:`_own_scalars`), as most namespaces never write one.
        self._scalars: Scalars = _shared_scalars()
        # conf.all and conf.default: shared with every fresh namespace until written
        self._all4 = _shared(("all4",), lambda: dict(T.CONF4_ALL))
        self._dflt4 = _shared(("dflt4",), lambda: dict(T.CONF4_DEFAULT))
        self._dflt4_written: set[str] = set()
        #: conf.default (and the written marks) as a fresh namespace has them, so a
        #: new device may take the shared trees (:func:`_shared`).
        self._pristine4 = self._pristine6 = True
        self._all6 = _shared(("all6", self._absent6), lambda: self._conf6(T.CONF6_ALL))
        self._dflt6 = _shared(("dflt6", self._absent6), lambda: self._conf6(T.CONF6_DEFAULT))
        self._devs: dict[str, T.Device] = {}
        #: Bumped by every write and device change, so readers may cache what they derive.
        self.generation = 0

    # --- devices --------------------------------------------------------------------

    @property
    def devices(self) -> list[str]:
        """Registered devices, in registration order."""
        return list(self._devs)

    def has_device(self, ifname: str) -> bool:
        return ifname in self._devs

    def add_device(self, ifname: str, *, loopback: bool = False, mtu: int | None = None) -> None:
        """A device registered here (``NETDEV_REGISTER``): create its trees.

        ``mtu`` defaults to 65536 for a loopback and 1500 otherwise.  The names
        ``all`` and ``default`` are refused as ``devinet_sysctl_register`` does
        (``RTNETLINK answers: Invalid argument``).
        """
        self.generation += 1
        if ifname in ("all", "default"):
            raise KernelError(_errno.EINVAL)
        if ifname in self._devs:
            raise KernelError(_errno.EEXIST)
        if mtu is None:
            mtu = 65536 if loopback else 1500
        dev = self._devs[ifname] = T.Device(loopback, mtu)
        self._inet_up(dev)
        self._inet6_up(dev)

    def remove_device(self, ifname: str) -> None:
        """The device unregistered or left for another namespace: its trees go."""
        self.generation += 1
        if self._devs.pop(ifname, None) is None:
            raise NoSuchDevice(ifname)

    def rename_device(self, old: str, new: str) -> None:
        """``ip link set OLD name NEW``: the trees move with every value kept."""
        self.generation += 1
        if old not in self._devs:
            raise NoSuchDevice(old)
        if new == old:
            return
        if new in ("all", "default"):
            raise KernelError(_errno.EINVAL)
        if new in self._devs:
            raise KernelError(_errno.EEXIST)
        self._devs[new] = self._devs.pop(old)

    def set_mtu(self, ifname: str, mtu: int) -> None:
        """``NETDEV_CHANGEMTU``: below 1280 the IPv6 trees go and come back fresh above it
        (``addrconf_notify``); IPv4 likewise below 68 (``inetdev_event``)."""
        self.generation += 1
        dev = self._devs.get(ifname)
        if dev is None:
            raise NoSuchDevice(ifname)
        dev.mtu = mtu
        if mtu < T.IPV4_MIN_MTU:
            dev.conf4 = dev.neigh4 = None
            dev.written4 = set()
        elif dev.conf4 is None:
            self._inet_up(dev)
        if mtu < T.IPV6_MIN_MTU:
            dev.conf6 = dev.neigh6 = None
        elif dev.conf6 is not None:
            _own(dev, "conf6")["mtu"] = mtu
        else:
            self._inet6_up(dev)

    def _inet_up(self, dev: T.Device) -> None:
        """``inetdev_init``: conf.default with its "written" marks, lo's overrides."""
        if dev.mtu < T.IPV4_MIN_MTU:
            return
        over = T.CONF4_LOOPBACK if dev.loopback else T.CONF4_DEVICE
        if self._pristine4:
            dev.conf4 = _shared(("conf4", dev.loopback), lambda: T.CONF4_DEFAULT | over)
            dev.written4 = _shared(("written4", dev.loopback), lambda: set(over))
        else:
            dev.conf4 = self._dflt4 | over  # IN_DEV_CONF_SET(): value and "written" mark
            dev.written4 = self._dflt4_written | set(over)
        dev.neigh4 = _shared(("neigh4",), lambda: dict(T.NEIGH_TEMPLATE["ipv4"]))

    def _inet6_up(self, dev: T.Device) -> None:
        """``ipv6_add_dev``: conf.default, lo's overrides, the device's MTU."""
        if dev.mtu < T.IPV6_MIN_MTU:
            return
        over = T.CONF6_LOOPBACK if dev.loopback else T.CONF6_DEVICE
        if self._pristine6:
            key = ("conf6", dev.loopback, dev.mtu, self._absent6)
            dev.conf6 = _shared(key, lambda: self._dflt6 | self._conf6(over) | {"mtu": dev.mtu})
        else:
            dev.conf6 = self._dflt6 | self._conf6(over) | {"mtu": dev.mtu}
        dev.neigh6 = _shared(("neigh6",), lambda: dict(T.NEIGH_TEMPLATE["ipv6"]))

    def _conf6(self, conf: Mapping[str, int]) -> dict[str, int]:
        """``conf`` without the files this build lacks."""
        return {k: v for k, v in conf.items() if k not in self._absent6}

    def ipv4_conf(self, dev: str) -> Mapping[str, int]:
        """``net.ipv4.conf.DEV`` (or ``all``/``default``), read-only."""
        conf = self._conf("ipv4", dev)
        if conf is None:
            raise NoSuchDevice(dev)
        return MappingProxyType(conf)

    def ipv6_conf(self, dev: str) -> Mapping[str, int]:
        """``net.ipv6.conf.DEV`` as the kernel holds it (time keys in jiffies), read-only."""
        conf = self._conf("ipv6", dev)
        if conf is None:
            raise NoSuchDevice(dev)
        return MappingProxyType(conf)

    # --- writing ----------------------------------------------------------------------

    def set(self, key: str, value: str | int) -> None:
        """``sysctl -w KEY=VALUE``; raises :class:`SysctlError` with sysctl's message.

        sysctl drops blanks in front of the value before writing it.
        """
        self.write_file(key, str(value).lstrip(_BLANKS))

    def write_file(self, key: str, text: str) -> None:
        """Write ``text`` + newline to the file itself (``echo TEXT > /proc/sys/...``)."""
        parts = split_key(key)
        try:
            self._write(parts, text)
        except Invalid as e:
            shown = _dotted(parts)
            # A read-only file fails with EACCES, but procps finds it by its mode
            # first and prints "Invalid argument" (a stale errno) for it.
            reason = os.strerror(_errno.EINVAL if e.errno == _errno.EACCES else e.errno)
            message = f'sysctl: setting key "{shown}": {reason}'
            raise SysctlError(message, key=shown, errno=e.errno) from None

    def write(self, key: str, value: str | int) -> str:
        """:meth:`set`, returning the line ``sysctl -w`` echoes (the value as it wrote it)."""
        self.set(key, value)
        return f"{_dotted(split_key(key))} = {str(value).lstrip(_BLANKS)}"

    def _write(self, parts: tuple[str, ...], text: str) -> None:
        self.generation += 1
        if len(parts) == 5 and parts[0] == "net" and parts[1] in T.FAMILIES:
            fam, sub, dev, name = parts[1:]
            if sub == "conf" and (conf := self._conf(fam, dev)) is not None and name in conf:
                if dev in ("all", "default"):
                    conf = self._own_conf(fam, dev)
                else:
                    conf = _own(self._devs[dev], "conf4" if fam == "ipv4" else "conf6")
                if fam == "ipv4":
                    self._write_conf4(dev, name, conf, text)
                else:
                    self._write_conf6(dev, name, conf, text)
                return
            if sub == "neigh" and name in T.NEIGH_NAMES[fam]:
                d = self._devs.get(dev)
                neigh = None if d is None else d.neigh(fam)
                if d is not None and neigh is not None:
                    neigh = _own(d, "neigh4" if fam == "ipv4" else "neigh6")
                    new = T.parse1(T.tree_spec(fam, "neigh", "*", name), text)
                    if name == "unres_qlen":
                        new *= T.SKB_TRUESIZE_FRAME
                    neigh[T.NEIGH_FIELD.get(name, name)] = new
                    return
        key = ".".join(parts)
        if key == "net.ipv4.ip_forward":
            self._write_conf4("all", "forwarding", self._own_conf("ipv4", "all"), text)
        elif key in T.WRITE_ONLY:
            pass
        elif key in self._special:
            self._special[key][2](self._own_scalars(), key, text)
        elif key in self._scalars:
            spec = T.spec(key)
            if spec.kind is Kind.RO:
                raise Invalid(_errno.EACCES)
            self._own_scalars()[key] = T.parse1(spec, text)
        elif self._is_dir(parts):
            raise Invalid(_errno.EINVAL)
        else:
            raise self._no_such(parts)

    def _own_conf(self, fam: str, dev: str) -> dict[str, int]:
        """``conf.all`` or ``conf.default`` of ``fam`` made the namespace's own
        before a write (a shared tree is copied first)."""
        attr = ("_all" if dev == "all" else "_dflt") + ("4" if fam == "ipv4" else "6")
        tree: dict[str, int] = getattr(self, attr)
        if is_shared(tree):
            tree = dict(tree)
            setattr(self, attr, tree)
        return tree

    def _own_scalars(self) -> Scalars:
        """The namespace's own copy of the scalar keys (made on the first write)."""
        if self._scalars is _shared_scalars():
            self._scalars = dict(self._scalars)
        return self._scalars

    def _write_conf4(self, dev: str, name: str, conf: dict[str, int], text: str) -> None:
        spec = T.tree_spec("ipv4", "conf", dev, name)
        if spec.kind is Kind.RO:
            raise Invalid(_errno.EACCES)
        if dev in ("all", "default"):
            self._pristine4 = False
        if name == "forwarding":  # devinet_sysctl_forward
            new = T.parse1(spec, text)
            old, conf[name] = conf[name], new
            if dev == "all" and new != old:  # inet_forward_change()
                self._own_conf("ipv4", "all")["accept_redirects"] = int(not new)
                self._own_conf("ipv4", "default")["forwarding"] = new
                for d in self._devs.values():
                    if d.conf4 is not None:
                        _own(d, "conf4")["forwarding"] = new
                        _own(d, "written4").add("forwarding")
            return
        if name in T.FLUSHING4:  # ipv4_doint_and_flush
            conf[name] = T.parse1(spec, text)
            return
        try:
            conf[name] = T.parse1(spec, text)
        finally:
            # devinet_conf_proc marks the key written, and copies conf.default,
            # whether or not proc_dointvec accepted the text
            if dev == "default":
                self._dflt4_written.add(name)
                for d in self._devs.values():  # devinet_copy_dflt_conf()
                    if d.conf4 is not None and name not in d.written4:
                        _own(d, "conf4")[name] = conf[name]
            elif dev != "all":
                _own(self._devs[dev], "written4").add(name)

    def _write_conf6(self, dev: str, name: str, conf: dict[str, int], text: str) -> None:
        spec = T.conf6_spec(dev, name)
        if dev not in ("all", "default"):
            if name == "mtu":  # addrconf_sysctl_mtu: IPV6_MIN_MTU .. dev->mtu
                spec = Spec(Kind.INT, T.IPV6_MIN_MTU, self._devs[dev].mtu)
            elif name == "addr_gen_mode":
                # 2 (stable privacy) needs a stable_secret, which the model never holds
                spec = Spec(Kind.UINT, 0, 3)
                if T.parse1(spec, text) == 2:
                    raise Invalid(_errno.EINVAL)
        if spec.kind is Kind.RO:
            raise Invalid(_errno.EACCES)
        new = T.parse1(spec, text)
        if dev in ("all", "default"):
            self._pristine6 = False
        old, conf[name] = conf[name], new
        if dev != "all":
            return
        if name in T.ALL6_TO_EVERY:
            self._own_conf("ipv6", "default")[name] = new
            for d in self._devs.values():
                if d.conf6 is not None:
                    _own(d, "conf6")[name] = new
        elif name == "force_forwarding" and new != old:
            for d in self._devs.values():
                if d.conf6 is not None:
                    _own(d, "conf6")[name] = new
