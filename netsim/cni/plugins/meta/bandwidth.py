"""The bandwidth plugin: ``plugins/meta/bandwidth/main.go`` of containernetworking/plugins
v1.1.1 (``parseConfig``, ``getBandwidth``, ``validateRateAndBurst``,
``getHostInterface``, ``cmdAdd``, ``cmdDel``, ``cmdCheck``) as generators of host
operations; the traffic control is in :mod:`netsim.cni.plugins.meta.bandwidth_tc`.

``ingressRate``/``ingressBurst``/``egressRate``/``egressBurst`` (bits per second,
bits) at the top level, or, when none is there, ``runtimeConfig.bandwidth``
(the ``bandwidth`` capability).  Ingress (towards the container) is a ``tbf``
on the host veth; egress an ifb ``bwp`` + 12 hex digits of
``sha512(network name + container ID)``, the host veth's ingress traffic
redirected to it, and a ``tbf`` on it; the ifb joins the result's interfaces.
No limits at all: the ``prevResult`` passes through, and without one the Go
code dereferences nil (a panic: exit 2, the trace on stderr, cni.md T6).
DEL removes the ifb only; CHECK compares each tbf's rate, limit and buffer
(and panics when no limits are configured)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Final

from netsim.cni.driver import Context, GenPlugin, PluginGen
from netsim.cni.errors import CniError, GoPanic
from netsim.cni.gojson import GoJsonError, field, type_name, unmarshal
from netsim.cni.plugins.main.common import link_by_name
from netsim.cni.plugins.meta import bandwidth_tc as tc
from netsim.cni.plugins.meta.prev import parse_prev_result
from netsim.cni.plugins.netns import get_ns
from netsim.cni.result import Interface, Result
from netsim.cni.skel import CmdArgs
from netsim.cni.utils import format_hash_with_prefix
from netsim.cni.version import config_version
from netsim.host.ops import Dump

__all__ = ["BANDWIDTH", "Bandwidth", "cmd_add", "cmd_check", "cmd_del", "ifb_name", "parse_config"]

MAX_IFB_DEVICE_LENGTH: Final = 15
IFB_DEVICE_PREFIX: Final = "bwp"
_KEYS: Final = ("ingressRate", "ingressBurst", "egressRate", "egressBurst")
_U64: Final = (1 << 64) - 1
_U32: Final = 0xFFFFFFFF

#: The goroutine trace below a panic: ``skel.PluginMain`` down to the command.
#: Its argument values (and the ``PrintResult`` ones) vary with the input; the
#: first two lines do not.  Recorded from Debian's 1.1.1+ds1-3+b5 build.
_SKEL_TRACE: Final = """\
github.com/containernetworking/cni/pkg/skel.(*dispatcher).checkVersionAndCall(0xc00009deb8, 0xc000096770, {0x5ad700, 0xc00007af30}, 0x582250)
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:166 +0x20a
github.com/containernetworking/cni/pkg/skel.(*dispatcher).pluginMain(0xc00009deb8, 0x667400?, 0xc00009dea0?, 0x44eca9?, {0x5ad700, 0xc00007af30}, {0xc00001c120, 0x24})
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:{line} +{off}
github.com/containernetworking/cni/pkg/skel.PluginMainWithError(...)
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:273
github.com/containernetworking/cni/pkg/skel.PluginMain(0x578a20?, 0x10?, 0xc00009df50?, {0x5ad700?, 0xc00007af30?}, {0xc00001c120?, 0x4079d9?})
\tgithub.com/containernetworking/cni/pkg/skel/skel.go:288 +0xd1
main.main()
\tgithub.com/containernetworking/plugins/plugins/meta/bandwidth/main.go:249 +0xcf
"""  # noqa: E501
#: What the binary prints when ``types.PrintResult`` gets a nil result (cni.md T6).
ADD_PANIC: Final = (
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x508d23]\n\n"
    "goroutine 1 [running]:\n"
    "github.com/containernetworking/cni/pkg/types.PrintResult("
    "{0x0?, 0x0?}, {0xc000018b78?, 0x0?})\n"
    "\tgithub.com/containernetworking/cni/pkg/types/types.go:104 +0x23\n"
    "main.cmdAdd(0xc000096770)\n"
    "\tgithub.com/containernetworking/plugins/plugins/meta/bandwidth/main.go:172 +0x5ea\n"
    + _SKEL_TRACE.replace("{line}", "219").replace("{off}", "0x2ca")
)
#: ... and what ``cmdCheck`` prints dereferencing a nil bandwidth entry.
CHECK_PANIC: Final = (
    "panic: runtime error: invalid memory address or nil pointer dereference\n"
    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x536ff6]\n\n"
    "goroutine 1 [running]:\n"
    "main.cmdCheck(0xc0000be770)\n"
    "\tgithub.com/containernetworking/plugins/plugins/meta/bandwidth/main.go:301 +0x2d6\n"
    + _SKEL_TRACE.replace("{line}", "235").replace("{off}", "0x71a")
)


@dataclass(frozen=True)
class Bandwidth:
    """``BandwidthEntry``: rates in bits/s, bursts in bits."""

    ingress_rate: int = 0
    ingress_burst: int = 0
    egress_rate: int = 0
    egress_burst: int = 0

    @property
    def is_zero(self) -> bool:
        """``isZero``: no rate and no burst either way."""
        return not any((self.ingress_rate, self.ingress_burst, self.egress_rate, self.egress_burst))


def _u64(obj: dict[str, Any], key: str, struct: str) -> int:
    v = field(obj, key)
    if v is None:
        return 0
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise CniError(f"json: cannot unmarshal {type_name(v)} into Go struct field {struct}.{key} of type uint64")  # fmt: skip  # noqa: E501
    if (isinstance(v, float) and not v.is_integer()) or v < 0 or v > _U64:
        raise CniError(f"json: cannot unmarshal number {v} into Go struct field {struct}.{key} of type uint64")  # fmt: skip  # noqa: E501
    return int(v)


def _entry(obj: dict[str, Any], struct: str) -> Bandwidth:
    return Bandwidth(*(_u64(obj, k, struct) for k in _KEYS))


def validate_rate_and_burst(rate: int, burst: int) -> None:
    """``validateRateAndBurst``."""
    if burst == 0 and rate != 0:
        raise CniError("if rate is set, burst must also be set")
    if rate == 0 and burst != 0:
        raise CniError("if burst is set, rate must also be set")
    if burst // 8 >= _U32:
        raise CniError("burst cannot be more than 4GB")


@dataclass(frozen=True)
class PluginConf:
    """``PluginConf`` after ``parseConfig``."""

    name: str
    version: str
    bandwidth: Bandwidth | None
    prev: Result | None


def parse_config(stdin: str) -> PluginConf:
    """``parseConfig``: top-level limits win over ``runtimeConfig.bandwidth``;
    both pairs validated; the ``prevResult`` read in the config's version."""
    try:
        conf = unmarshal(stdin)
        assert isinstance(conf, dict)
        top = _entry(conf, "PluginConf") if any(field(conf, k) is not None for k in _KEYS) else None  # fmt: skip  # noqa: E501
        rc = field(conf, "runtimeConfig")
        runtime = None
        if isinstance(rc, dict) and field(rc, "bandwidth") is not None:
            bw = field(rc, "bandwidth")
            if not isinstance(bw, dict):
                raise CniError(f"json: cannot unmarshal {type_name(bw)} into Go struct field .runtimeConfig.bandwidth of type main.BandwidthEntry")  # fmt: skip  # noqa: E501
            runtime = _entry(bw, "BandwidthEntry")
    except GoJsonError as e:
        raise CniError(f"failed to parse network configuration: {e}") from None
    except CniError as e:
        raise CniError(f"failed to parse network configuration: {e.msg}") from None
    bandwidth = runtime if top is None and runtime is not None else top
    if bandwidth is not None:
        validate_rate_and_burst(bandwidth.ingress_rate, bandwidth.ingress_burst)
        validate_rate_and_burst(bandwidth.egress_rate, bandwidth.egress_burst)
    version = config_version(stdin)
    prev = None
    if field(conf, "prevResult") is not None:
        try:
            prev = parse_prev_result(conf, version)
        except CniError as e:  # version.ParsePrevResult's own prefix, then this one
            raise CniError(f"could not parse prevResult: {e.msg}") from None
    return PluginConf(str(field(conf, "name") or ""), version, bandwidth, prev)


def ifb_name(network: str, container_id: str) -> str:
    """``getIfbDeviceName``: ``bwp`` + sha512(network + container ID), 15 characters."""
    return format_hash_with_prefix(MAX_IFB_DEVICE_LENGTH, IFB_DEVICE_PREFIX, network + container_id)


def _open(ctx: Context, path: str) -> PluginGen[str]:
    try:
        ns = yield from get_ns(ctx, path)
    except CniError as e:  # Go: fmt.Errorf("failed to open netns %q", netns) with netns nil
        raise CniError(f"failed to open netns %!q(<nil>): {e.msg}") from None
    return ns


def get_host_interface(ctx: Context, ifaces: tuple[Interface, ...], ifname: str,
                       cont_ns: str) -> PluginGen[Interface]:  # fmt: skip
    """``getHostInterface``: the result's host-side interface that is the container
    veth's peer (its ``IFLA_LINK`` ifindex looked up in the host namespace)."""
    if not ifaces:
        raise CniError("no interfaces provided")
    rec = yield from link_by_name(cont_ns, ifname)
    err = "<nil>"
    peer = -1
    if rec is None:
        err = f'could not look up "{ifname}": Link not found'
    elif rec.get("linkinfo", {}).get("info_kind") != "veth":
        err = f'interface "{ifname}" was not a veth interface'
    elif "link_index" in rec:
        peer = int(rec["link_index"] or 0)
    elif rec.get("link"):  # ip names a peer in the same namespace instead of its index
        records = yield Dump(netns=cont_ns, what="link")
        peer = next((int(r["ifindex"]) for r in records if r.get("ifname") == rec["link"]), -1)
    if peer <= 0:
        raise CniError(f"container interface {ifname} has no veth peer: {err}")
    records = yield Dump(netns=ctx.host_netns, what="link")
    host = next((r for r in records if r.get("ifindex") == peer), None)
    if host is None:
        raise CniError(f"veth peer with index {peer} is not in host ns")
    for iface in ifaces:
        if not iface.sandbox and iface.name == host.get("ifname"):
            return iface
    raise CniError("no veth peer of container interface found in host ns")


def cmd_add(args: CmdArgs, ctx: Context) -> PluginGen[Result]:
    """``cmdAdd``."""
    conf = parse_config(args.stdin)
    bw = conf.bandwidth
    if bw is None or bw.is_zero:
        if conf.prev is None:
            raise GoPanic(ADD_PANIC)
        return conf.prev
    if conf.prev is None:
        raise CniError("must be called as chained plugin")
    result = conf.prev
    cont_ns = yield from _open(ctx, args.netns)
    host = yield from get_host_interface(ctx, result.interfaces, args.ifname, cont_ns)
    hns = ctx.host_netns
    if bw.ingress_rate > 0 and bw.ingress_burst > 0:
        yield from tc.create_ingress_qdisc(hns, bw.ingress_rate, bw.ingress_burst, host.name)
    if bw.egress_rate > 0 and bw.egress_burst > 0:
        rec = yield from link_by_name(hns, host.name)
        if rec is None:
            raise CniError("Link not found")
        ifb = ifb_name(conf.name, args.container_id)
        yield from tc.create_ifb(hns, ifb, int(rec.get("mtu", 0)))
        dev = yield from link_by_name(hns, ifb)
        if dev is None:
            raise CniError("Link not found")
        ifaces = (*result.interfaces, Interface(ifb, str(dev.get("address", ""))))
        result = replace(result, interfaces=ifaces)
        yield from tc.create_egress_qdisc(hns, bw.egress_rate, bw.egress_burst, host.name, ifb)
    return result


def cmd_del(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdDel``: the ifb goes (nothing else: the host veth's qdiscs stay)."""
    conf = parse_config(args.stdin)
    yield from tc.teardown_ifb(ctx.host_netns, ifb_name(conf.name, args.container_id))


def _check_tbf(records: list[dict[str, Any]], dev: str, rate_bits: int, burst_bits: int) -> None:
    """The ``SafeQdiscList`` loop: every leading tbf must carry these numbers."""
    want = tc.tbf_options(rate_bits, burst_bits)
    qdiscs = [r for r in records if r.get("dev") == dev and r.get("kind") != "pfifo_fast"]
    if not qdiscs:
        raise CniError("Failed to find qdisc")
    for q in qdiscs:
        if q.get("kind") != "tbf":
            break
        opts = q.get("options", {})
        if int(opts.get("rate", 0)) != int(want.get("rate64", want["rate"])):
            raise CniError("Rate doesn't match")
        if int(opts.get("limit", 0)) != want["limit"]:
            raise CniError("Limit doesn't match")
        if int(str(opts.get("burst_raw", "0")), 16) != want["buffer"]:
            raise CniError("Buffer doesn't match")


def cmd_check(args: CmdArgs, ctx: Context) -> PluginGen[None]:
    """``cmdCheck``."""
    conf = parse_config(args.stdin)
    if conf.prev is None:
        raise CniError("must be called as a chained plugin")
    cont_ns = yield from _open(ctx, args.netns)
    host = yield from get_host_interface(ctx, conf.prev.interfaces, args.ifname, cont_ns)
    hns = ctx.host_netns
    if (yield from link_by_name(hns, host.name)) is None:
        raise CniError("Link not found")
    bw = conf.bandwidth
    if bw is None:
        raise GoPanic(CHECK_PANIC)
    records = yield Dump(netns=hns, what="qdisc")
    if bw.ingress_rate > 0 and bw.ingress_burst > 0:
        _check_tbf(records, host.name, bw.ingress_rate, bw.ingress_burst)
    if bw.egress_rate > 0 and bw.egress_burst > 0:
        ifb = ifb_name(conf.name, args.container_id)
        if (yield from link_by_name(hns, ifb)) is None:
            raise CniError("get ifb device: Link not found")
        _check_tbf(records, ifb, bw.egress_rate, bw.egress_burst)


BANDWIDTH: Final = GenPlugin("bandwidth", add=cmd_add, check=cmd_check, delete=cmd_del,
                             supported=("0.3.0", "0.3.1", "0.4.0", "1.0.0"))  # fmt: skip
