"""A simulated world: an engine (time, randomness, traces) and a kernel.

>>> from netsim import World
>>> w = World(seed=1)
>>> ns = w.netns_add("h1")
>>> [d.ifname for d in ns]
['lo']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, final

import simpy

from netsim.addr import MacAddr
from netsim.engine import DEFAULT_LATENCY, Engine
from netsim.kernel import INIT_NET, Bridge, Kernel, Link, Netns, Veth
from netsim.kernel.bridge.fdb import NUD_NOARP, NUD_PERMANENT, NUD_REACHABLE
from netsim.kernel.sysctl.build import DEFAULT_BUILD, KernelBuild
from netsim.trace import Trace, TraceRecorder
from netsim.world_ipv4 import Ipv4Api
from netsim.world_links import LinksApi
from netsim.world_neigh import NeighApi
from netsim.world_vxlan import VxlanApi

if TYPE_CHECKING:
    from collections.abc import Sequence

    from netsim.capture import Capture
    from netsim.shell import Shell, ShellResult
    from netsim.shell.fs import MemFs

__all__ = ["World"]

_UNSET: Final[Any] = object()
_FDB_STATES: Final = {"permanent": NUD_PERMANENT, "static": NUD_NOARP, "dynamic": NUD_REACHABLE}


def _mac(value: MacAddr | str | None) -> MacAddr | None:
    return None if value is None else MacAddr(value)


@final
class World(Ipv4Api, NeighApi, VxlanApi, LinksApi):
    """Everything one simulation owns; built from a seed, stepped in simulated time."""

    def __init__(self, seed: int = 0, *, trace: bool = True, latency: float = DEFAULT_LATENCY,
                 possible_cpus: int = 1, build: KernelBuild = DEFAULT_BUILD):  # fmt: skip
        """``possible_cpus`` is the simulated machine's ``num_possible_cpus()``,
        which only shows as the queue counts of veth devices (``ip -d link``);
        ``build`` the kernel build mirrored (:mod:`netsim.kernel.sysctl.build`)."""
        self.engine: Final = Engine(seed, trace=trace)
        self.kernel: Kernel = Kernel(self.engine, latency=latency, possible_cpus=possible_cpus,
                                     build=build)  # fmt: skip
        self._shell: Shell | None = None

    def __repr__(self) -> str:
        names = ", ".join(self.kernel.namespaces)
        return f"<World seed={self.engine.seed} t={self.now:g}s netns=[{names}]>"

    # --- the engine ------------------------------------------------------------------------

    @property
    def env(self) -> simpy.Environment:
        return self.engine.env

    @property
    def rng(self) -> Any:
        return self.engine.rng

    @property
    def trace(self) -> TraceRecorder:
        return self.engine.trace

    @property
    def now(self) -> float:
        """Simulated seconds since the world was built."""
        return self.engine.now

    def run(self, until: float | None = None) -> None:
        """Advance simulated time to ``until`` (absolute seconds), or until idle."""
        self.engine.run(until)

    def sleep(self, seconds: float) -> None:
        """Advance simulated time by ``seconds``."""
        self.engine.run(self.now + seconds)

    def _the_shell(self) -> Shell:
        from netsim.shell import Shell

        if self._shell is None:
            self._shell = Shell(self)
        return self._shell

    def sh(self, script: str, *, args: Sequence[str] = ()) -> ShellResult:
        """Run a shell script (``netsim sh``) in this world with positional
        parameters ``args`` (``$1``...); variables and the in-memory filesystem
        persist across calls."""
        return self._the_shell().run(script, args)

    @property
    def fs(self) -> MemFs:
        """The machine's filesystem: what :meth:`sh` scripts and the CNI plugins
        read and write (``/etc/cni/net.d``, ``/var/lib/cni``, ``/run/flannel``),
        in memory."""
        return self._the_shell().fs

    def traces(self, flow: int | None = None) -> list[Trace]:
        """Finished traces (one flow's if given)."""
        return self.engine.trace.traces(flow)

    # --- namespaces ----------------------------------------------------------------------------

    def netns_add(self, name: str) -> Netns:
        return self.kernel.netns_add(name)

    def netns_del(self, name: str) -> None:
        self.kernel.netns_del(name)

    def netns(self, name: str = INIT_NET) -> Netns:
        return self.kernel.netns(name)

    def dev(self, ifname: str, *, netns: str = INIT_NET) -> Link:
        """The device ``ifname`` in namespace ``netns``."""
        return self.kernel.netns(netns).dev(ifname)

    # --- links (ip link add / set / del) ----------------------------------------------------------

    def add_veth(
        self,
        ifname: str,
        peer: str,
        *,
        netns: str = INIT_NET,
        peer_netns: str | None = None,
        address: MacAddr | str | None = None,
        peer_address: MacAddr | str | None = None,
        mtu: int | None = None,
        latency: float | None = None,
    ) -> Veth:
        """``ip link add IFNAME [address A] type veth peer name PEER [netns N] [address B]``.

        ``latency`` (seconds, each way) defaults to the world's
        (:data:`~netsim.engine.DEFAULT_LATENCY` unless ``World(latency=...)``).
        """
        ns = self.kernel.netns(netns)
        pns = self.kernel.netns(peer_netns) if peer_netns else ns
        return self.kernel.add_veth(
            ns,
            ifname,
            peer,
            peer_ns=pns,
            address=_mac(address),
            peer_address=_mac(peer_address),
            mtu=mtu,
            peer_mtu=mtu,
            latency=latency,
        )

    def add_bridge(
        self,
        ifname: str = "bridge%d",
        *,
        netns: str = INIT_NET,
        address: MacAddr | str | None = None,
        ageing_time: float = 300.0,
    ) -> Bridge:
        """``ip [-n NS] link add IFNAME type bridge [ageing_time CS]`` (seconds here)."""
        ns = self.kernel.netns(netns)
        return self.kernel.add_bridge(ns, ifname, address=_mac(address), ageing_time=ageing_time)

    def link_del(self, ifname: str, *, netns: str = INIT_NET) -> None:
        self.kernel.link_del(self.dev(ifname, netns=netns))

    def link_set(
        self,
        ifname: str,
        *,
        netns: str = INIT_NET,
        up: bool | None = None,
        master: str | None = _UNSET,
        to_netns: str | None = None,
        name: str | None = None,
        mtu: int | None = None,
        address: MacAddr | str | None = None,
        promisc: bool | None = None,
        alias: str | None = None,
        allmulti: bool | None = None,
    ) -> Link:
        """``ip link set``: applied in ``do_setlink()``'s order (netns, address,
        mtu, name, alias, master, then up/down, promisc and allmulticast).
        ``master=None`` is ``nomaster``; ``alias=""`` removes the alias."""
        k = self.kernel
        dev = self.dev(ifname, netns=netns)
        if to_netns is not None:
            k.set_netns(dev, k.netns(to_netns))
        ns = dev.netns
        assert ns is not None
        target = _UNSET
        if master is not _UNSET:
            target = None if master is None else ns.dev(master)
        if address is not None:
            k.set_address(dev, MacAddr(address))
        if mtu is not None:
            k.set_mtu(dev, mtu)
        if name is not None:
            k.set_name(dev, name)
        if alias is not None:
            k.set_alias(dev, alias)
        if target is not _UNSET:
            k.set_master(dev, target)
        if up is not None:
            k.set_up(dev, up)
        if promisc is not None:
            k.set_promisc(dev, promisc)
        if allmulti is not None:
            k.set_allmulti(dev, allmulti)
        return dev

    def bridge_set(self, ifname: str, *, netns: str = INIT_NET, ageing_time: float) -> None:
        """``ip link set IFNAME type bridge ageing_time CS`` (in seconds here)."""
        self.kernel.bridge_set(self.dev(ifname, netns=netns), ageing_time=ageing_time)

    def bridge_link_set(self, dev: str, *, netns: str = INIT_NET, **flags: bool) -> None:
        """``bridge link set dev DEV hairpin on learning off ...`` (keyword flags)."""
        self.kernel.bridge_port_set(self.dev(dev, netns=netns), **flags)

    # --- the FDB (bridge fdb add / replace / del) --------------------------------------------

    def fdb_add(
        self,
        mac: MacAddr | str,
        *,
        dev: str,
        netns: str = INIT_NET,
        master: bool = False,
        self_: bool | None = None,
        state: str = "permanent",
        replace: bool = False,
    ) -> None:
        """``bridge fdb add|replace MAC dev DEV [master] [self] [permanent|static|dynamic]``.

        As with ``bridge``, an entry is ``self`` unless ``master`` is given.
        """
        nud = _FDB_STATES[state]
        self.kernel.fdb_add(
            self.dev(dev, netns=netns),
            MacAddr(mac),
            master=master,
            self_=(not master) if self_ is None else self_,
            state=nud,
            excl=not replace,
        )

    def fdb_del(
        self, mac: MacAddr | str, *, dev: str, netns: str = INIT_NET, master: bool = False
    ) -> None:
        """``bridge fdb del MAC dev DEV [master]``."""
        self.kernel.fdb_del(
            self.dev(dev, netns=netns), MacAddr(mac), master=master, self_=not master
        )

    # --- frames ---------------------------------------------------------------------------

    def capture(self, dev: str | None = None, *, netns: str = INIT_NET) -> Capture:
        """Start capturing frames on ``dev`` (or on every device of ``netns``), as
        ``tcpdump -i DEV`` sees them; ``.write(path)`` makes a pcap file that
        Wireshark and tshark read.  Use it as a context manager, or ``.stop()``."""
        from netsim.capture import Capture

        ns = self.kernel.netns(netns)
        return Capture(self.engine, [ns.dev(dev)] if dev is not None else list(ns))

    def send(self, frame: Any, *, dev: str, netns: str = INIT_NET) -> int:
        """Send a raw Ethernet frame out of ``dev`` (as an AF_PACKET socket); returns its flow."""
        ns = self.kernel.netns(netns)
        return ns.send(ns.dev(dev), frame)
