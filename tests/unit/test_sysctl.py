"""The sysctl model against what the 6.18 kernel showed (fixtures in tests/data/sysctl)."""

from __future__ import annotations

import contextlib
import errno
import gzip
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from netsim.errors import KernelError, NetsimError, NoSuchDevice
from netsim.kernel.sysctl import NeighParams, SysctlError, Sysctls, split_key

DATA = Path(__file__).resolve().parents[1] / "data" / "sysctl"
#: Not modelled (see gen_defaults.EXCLUDED).
EXCLUDED = re.compile(
    r"stable_secret$|^net\.core\.rps_default_mask$|^net\.(mptcp|netfilter|unix)\."
)
#: The capture's user namespace maps no gid but 0, so these writes fail there
#: (and the default reads 65534); the model is a namespace of the initial user namespace.
USERNS_ONLY = {"net.ipv4.ping_group_range"}


def load(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (DATA / name).read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition(" = ")
            out[key] = value
    return out


def kernel_view(name: str) -> dict[str, str]:
    """A fixture listing as the model must show it: excluded keys out, userns artefact fixed."""
    out = {k: v for k, v in load(name).items() if not EXCLUDED.search(k)}
    out["net.ipv4.ping_group_range"] = "1\t0"  # T01; 65534 is the capture's unmapped gid
    return out


@cache
def probes() -> list[dict[str, Any]]:
    with gzip.open(DATA / "probe.json.gz", "rt") as f:
        doc: dict[str, Any] = json.load(f)
    return [p for p in doc["probes"] if not EXCLUDED.search(p["key"])]


def fresh(*devices: str) -> Sysctls:
    s = Sysctls()
    s.add_device("lo", loopback=True)
    for dev in devices:
        s.add_device(dev)
    return s


# --- defaults -------------------------------------------------------------------------------


def test_fresh_namespace_lists_what_sysctl_a_lists_in_its_order() -> None:
    assert fresh().dump() == kernel_view("fresh_netns.sysctl")


def test_new_veth_pair_gets_the_captured_trees() -> None:
    assert fresh("veth0", "veth1").dump() == kernel_view("veth_netns.sysctl")


def test_deprecated_neigh_files_only_with_deprecated() -> None:
    s = fresh()
    extra = {k: v for k, v in s.dump(deprecated=True).items() if k not in s.dump()}
    assert extra == load("deprecated.sysctl")


def test_generated_defaults_are_up_to_date() -> None:
    """_defaults.py is what gen_defaults.py makes of the fixtures now."""
    import tests.data.sysctl.gen_defaults as gen

    assert gen.OUT.read_text() == gen.render()


def test_reference_t01_values() -> None:
    """The table of reference section 1 (T01), as sysctl -n prints them."""
    s = fresh()
    expected = {
        "net.ipv4.ip_forward": "0",
        "net.ipv4.conf.all.rp_filter": "0",
        "net.ipv4.conf.all.send_redirects": "1",
        "net.ipv4.conf.all.accept_redirects": "1",
        "net.ipv4.conf.all.arp_evict_nocarrier": "1",
        "net.ipv4.ip_default_ttl": "64",
        "net.ipv4.icmp_echo_ignore_broadcasts": "1",
        "net.ipv4.icmp_ratelimit": "1000",
        "net.ipv4.icmp_ratemask": "6168",
        "net.ipv4.icmp_msgs_per_sec": "1000",
        "net.ipv4.icmp_msgs_burst": "50",
        "net.ipv4.ip_local_port_range": "32768\t60999",
        "net.ipv4.ping_group_range": "1\t0",
        "net.ipv4.route.mtu_expires": "600",
        "net.ipv4.route.min_pmtu": "552",
        "net.ipv6.conf.default.disable_ipv6": "0",
        "net.bridge.bridge-nf-call-iptables": "1",
        "net.core.somaxconn": "4096",
    }
    assert {k: s.get(k) for k in expected} == expected
    assert s.ip_local_port_range == (32768, 60999) and s.ping_group_range == (1, 0)
    assert s.icmp_ratelimit == 1.0 and s.ip_default_ttl == 64 and not s.ip_forward
    assert s.bridge_nf_call("iptables") and s.bridge_nf_call("arptables")


def test_neighbour_parameters_of_a_new_device() -> None:
    """T04: the same for lo and a veth; no neigh.default outside init_net."""
    s = fresh("eth0")
    assert s.neigh_params("eth0") == s.neigh_params("lo")
    assert s.neigh_params("eth0") == NeighParams(
        base_reachable_time=30.0,
        retrans_time=1.0,
        delay_first_probe_time=5.0,
        gc_stale_time=60.0,
        interval_probe_time=5.0,
        anycast_delay=1.0,
        proxy_delay=0.8,
        locktime=1.0,
        ucast_solicit=3,
        mcast_solicit=3,
        mcast_resolicit=0,
        app_solicit=0,
        unres_qlen=101,
        unres_qlen_bytes=212992,
        proxy_qlen=64,
    )
    assert s.neigh_params("eth0", "ipv6").locktime == 0.0
    assert s.get("net.ipv4.neigh.eth0.retrans_time") == "100"  # 1/100 s
    assert s.get("net.ipv6.neigh.eth0.retrans_time") == "250"  # ndisc: raw jiffies
    with pytest.raises(SysctlError, match="cannot stat /proc/sys/net/ipv4/neigh/default/"):
        s.get("net.ipv4.neigh.default.ucast_solicit")


# --- the write probe, replayed --------------------------------------------------------------


def _related(s: Sysctls, key: str) -> dict[str, str]:
    """The files a write of ``key`` may change, with their values."""
    parts = key.split(".")
    if key == "net.ipv4.ip_forward":
        parts = ["net", "ipv4", "conf", "all", "forwarding"]
    if parts[2] == "neigh":
        return s.dump(".".join(parts[:4]), deprecated=True)
    if parts[2] == "conf":
        fam, name = parts[1], parts[4]
        names = {name, "accept_redirects"} if name == "forwarding" else {name}
        out = {}
        for dev in ("all", "default", *s.devices):
            for n in names:
                k = f"net.{fam}.conf.{dev.replace('.', '/')}.{n}"
                with contextlib.suppress(SysctlError):
                    out[k] = s.get(k)
        if fam == "ipv4":
            out["net.ipv4.ip_forward"] = s.get("net.ipv4.ip_forward")
        return out
    return {key: s.get(key)}


def _attempt(s: Sysctls, key: str, value: str) -> str:
    try:
        s.write_file(key, value)
    except SysctlError as e:
        return errno.errorcode[e.errno]
    return "ok"


@pytest.mark.parametrize("probe", probes(), ids=lambda p: p["key"])
def test_probe_replay(probe: dict[str, Any]) -> None:
    """Every value written to every key on the kernel: same result, same files changed.

    Each probe ran in a new namespace holding lo and a veth pair; see
    capture_sysctl.py.  After the last write the whole tree must equal the
    captured starting tree plus every change the kernel reported.
    """
    key = probe["key"]
    if key in USERNS_ONLY:
        pytest.skip("gids other than 0 are unmapped in the capture's user namespace")
    s = fresh("veth0", "veth1")
    before = _related(s, key)
    assert before[key] == probe["original"]
    expected = dict(kernel_view("veth_netns.sysctl"))
    for value, result, diff in probe["steps"]:
        got = _attempt(s, key, value)
        after = _related(s, key)
        model = {k: v for k, v in after.items() if before.get(k) != v}
        kernel = {k: v for k, v in diff.items() if not EXCLUDED.search(k)}
        assert (value, got, model) == (value, result, {k: kernel[k] for k in kernel if k in after})
        assert set(kernel) <= set(after)
        expected.update({k: v for k, v in kernel.items() if k in expected})
        before = after
    assert s.dump() == expected
    for value, result in probe["bounds"]:
        got = _attempt(s, key, value)
        if got == "ok":
            s.set(key, probe["original"])
        assert (value, got) == (value, result)


# --- devices ----------------------------------------------------------------------------------


def test_device_trees_come_and_go() -> None:
    s = fresh("eth0")
    assert s.get("/proc/sys/net/ipv4/conf/eth0/forwarding") == "0"
    assert s.get("net.ipv6.conf.eth0.mtu") == "1500"
    s.remove_device("eth0")
    for key in (
        "net.ipv4.conf.eth0.rp_filter",
        "net.ipv4.neigh.eth0.locktime",
        "net.ipv6.conf.eth0.mtu",
    ):
        with pytest.raises(SysctlError) as exc:
            s.get(key)
        assert exc.value.errno == errno.ENOENT
    assert s.devices == ["lo"]
    with pytest.raises(NoSuchDevice):
        s.remove_device("eth0")


def test_rename_keeps_every_value_and_mark() -> None:
    s = fresh("va")
    s.set("net.ipv4.conf.va.rp_filter", "2")
    s.set("net.ipv4.neigh.va.ucast_solicit", "5")
    s.set("net.ipv6.conf.va.accept_ra", "2")
    s.rename_device("va", "vx")
    assert s.get("net.ipv4.conf.vx.rp_filter") == "2"
    assert s.get("net.ipv4.neigh.vx.ucast_solicit") == "5"
    assert s.get("net.ipv6.conf.vx.accept_ra") == "2"
    s.set("net.ipv4.conf.default.rp_filter", "1")  # vx's rp_filter was written: not copied
    assert s.get("net.ipv4.conf.vx.rp_filter") == "2" and s.get("net.ipv4.conf.lo.rp_filter") == "1"
    with pytest.raises(SysctlError, match="conf/va/rp_filter"):
        s.get("net.ipv4.conf.va.rp_filter")


def test_moving_a_device_is_unregister_then_register() -> None:
    """A device moved to another namespace starts from that namespace's defaults."""
    a, b = fresh("x1"), fresh()
    a.set("net.ipv4.conf.default.arp_ignore", "1")
    b.set("net.ipv4.conf.default.arp_ignore", "2")
    a.set("net.ipv4.conf.x1.rp_filter", "1")
    a.set("net.ipv4.neigh.x1.ucast_solicit", "7")
    a.remove_device("x1")
    b.add_device("x1")
    assert b.get("net.ipv4.conf.x1.arp_ignore") == "2"
    assert b.get("net.ipv4.conf.x1.rp_filter") == "0"
    assert b.get("net.ipv4.neigh.x1.ucast_solicit") == "3"


@pytest.mark.parametrize("name", ["all", "default"])
def test_devices_named_all_or_default_are_refused(name: str) -> None:
    s = fresh("x")
    with pytest.raises(KernelError) as exc:
        s.add_device(name)
    assert exc.value.message == "RTNETLINK answers: Invalid argument"
    with pytest.raises(KernelError):
        s.rename_device("x", name)
    assert s.devices == ["lo", "x"]
    with pytest.raises(KernelError):
        s.rename_device("x", "lo")


def test_ipv6_tree_needs_mtu_1280() -> None:
    """Below 1280 the IPv6 tree goes; back above it is created again from conf.default."""
    s = fresh("z1")
    s.set("net.ipv6.conf.z1.accept_ra", "0")
    s.set_mtu("z1", 9000)
    assert s.get("net.ipv6.conf.z1.mtu") == "9000"
    s.set_mtu("z1", 1000)
    with pytest.raises(SysctlError):
        s.get("net.ipv6.conf.z1.mtu")
    with pytest.raises(SysctlError):
        s.get("net.ipv6.neigh.z1.locktime")
    assert not s.ipv6_enabled("z1") and s.get("net.ipv4.conf.z1.forwarding") == "0"
    s.set_mtu("z1", 1500)
    assert s.get("net.ipv6.conf.z1.accept_ra") == "1" and s.get("net.ipv6.conf.z1.mtu") == "1500"
    s.add_device("m1", mtu=1000)
    assert "net.ipv6.conf.m1.mtu" not in s.dump() and "net.ipv4.conf.m1.rp_filter" in s.dump()
    with pytest.raises(SysctlError, match="Invalid argument"):
        s.set("net.ipv6.conf.z1.mtu", "1501")  # not above the device's MTU
    s.set("net.ipv6.conf.z1.mtu", "1280")


# --- side effects ---------------------------------------------------------------------------------


def test_ip_forward_sets_every_forwarding_and_all_accept_redirects() -> None:
    """T38 / inet_forward_change()."""
    s = fresh("ra")
    s.set("net.ipv4.ip_forward", "1")
    assert s.ip_forward and s.forwarding("ra") and s.forwarding("lo")
    assert s.get("net.ipv4.conf.all.forwarding") == "1"
    assert s.get("net.ipv4.conf.default.forwarding") == "1"
    assert s.get("net.ipv4.conf.all.accept_redirects") == "0"
    assert s.get("net.ipv4.conf.default.accept_redirects") == "1"
    s.add_device("rb")  # copies conf.default.forwarding
    assert s.forwarding("rb")
    s.set("net.ipv4.conf.all.forwarding", "0")  # the same file as ip_forward
    assert s.get("net.ipv4.ip_forward") == "0" and not s.forwarding("rb")
    assert s.get("net.ipv4.conf.all.accept_redirects") == "1"


def test_forwarding_side_effects_only_on_change() -> None:
    s = fresh("va")
    s.set("net.ipv4.conf.va.forwarding", "1")
    s.set("net.ipv4.conf.all.forwarding", "0")  # unchanged: nothing else moves
    assert s.forwarding("va")
    s.set("net.ipv4.conf.all.accept_redirects", "0")
    s.set("net.ipv4.ip_forward", "0")
    assert s.get("net.ipv4.conf.all.accept_redirects") == "0"
    s.set("net.ipv4.ip_forward", "2")  # any int; accept_redirects = !2 = 0
    assert s.get("net.ipv4.conf.lo.forwarding") == "2"


def test_default_and_device_forwarding_change_only_themselves() -> None:
    s = fresh("va", "vb")
    s.set("net.ipv4.conf.default.forwarding", "1")
    assert not s.forwarding("lo") and not s.forwarding("va") and not s.ip_forward
    s.add_device("ve")
    assert s.forwarding("ve")
    s.set("net.ipv4.conf.vb.forwarding", "1")
    assert s.forwarding("vb") and not s.forwarding("va") and not s.ip_forward


def test_default_writes_reach_devices_that_never_had_the_key_written() -> None:
    """devinet_copy_dflt_conf(); a device created after the write copied the mark too."""
    s = fresh()
    s.set("net.ipv4.conf.default.rp_filter", "2")
    assert s.get("net.ipv4.conf.lo.rp_filter") == "2"
    s.add_device("va")
    s.add_device("vb")
    assert s.rp_filter("va") == 2 and s.rp_filter("vb") == 2
    s.set("net.ipv4.conf.va.rp_filter", "2")  # same value, but now written
    s.set("net.ipv4.conf.default.rp_filter", "0")
    assert [s.get(f"net.ipv4.conf.{d}.rp_filter") for d in ("lo", "va", "vb")] == ["0", "2", "2"]
    s.set("net.ipv4.conf.default.arp_ignore", "1")  # never written before va/vb existed
    assert s.arp_ignore("va") == 1 and s.arp_ignore("vb") == 1


def test_refused_writes_still_mark_the_key_written() -> None:
    """devinet_conf_proc sets the mark before looking at proc_dointvec's verdict."""
    s = fresh("y1")
    with pytest.raises(SysctlError):
        s.set("net.ipv4.conf.default.proxy_arp", "abc")
    s.add_device("z1")  # copies the mark
    with pytest.raises(SysctlError):
        s.set("net.ipv4.conf.lo.arp_ignore", "abc")
    s.set("net.ipv4.conf.default.proxy_arp", "5")
    s.set("net.ipv4.conf.default.arp_ignore", "3")
    assert [s.get(f"net.ipv4.conf.{d}.proxy_arp") for d in ("lo", "y1", "z1")] == ["5", "5", "0"]
    assert [s.get(f"net.ipv4.conf.{d}.arp_ignore") for d in ("lo", "y1", "z1")] == ["0", "3", "3"]
    s.set("net.ipv6.conf.y1.forwarding", "1")
    with pytest.raises(SysctlError):  # IPv6: a refused write changes nothing
        s.set("net.ipv6.conf.all.forwarding", "abc")
    assert s.ipv6_forwarding("y1") and s.get("net.ipv6.conf.all.forwarding") == "0"


def test_all_does_not_rewrite_devices_but_combines() -> None:
    s = fresh("va")
    s.set("net.ipv4.conf.all.rp_filter", "1")
    assert s.get("net.ipv4.conf.va.rp_filter") == "0" and s.rp_filter("va") == 1


def test_flushing_entries_are_not_copied_from_default() -> None:
    """disable_policy & co. go through ipv4_doint_and_flush: no copy to devices."""
    s = fresh("va")
    s.set("net.ipv4.conf.default.route_localnet", "1")
    assert s.get("net.ipv4.conf.va.route_localnet") == "0"
    assert s.get("net.ipv4.conf.lo.disable_policy") == "1"  # lo's own value


def test_ipv6_all_copies_to_default_and_devices() -> None:
    s = fresh("y1")
    s.set("net.ipv6.conf.y1.forwarding", "0")
    s.set("net.ipv6.conf.all.forwarding", "1")
    assert s.get("net.ipv6.conf.default.forwarding") == "1" and s.ipv6_forwarding("y1")
    s.set("net.ipv6.conf.y1.disable_ipv6", "1")
    s.set("net.ipv6.conf.all.disable_ipv6", "0")  # unchanged, still copied
    assert s.ipv6_enabled("y1")
    s.set("net.ipv6.conf.default.disable_ipv6", "1")
    assert s.get("net.ipv6.conf.lo.disable_ipv6") == "0"
    s.add_device("z1")
    assert not s.ipv6_enabled("z1")
    s.set("net.ipv6.conf.default.accept_ra", "0")  # no copy in IPv6
    assert s.get("net.ipv6.conf.y1.accept_ra") == "1"
    s.set("net.ipv6.conf.y1.force_forwarding", "1")
    s.set("net.ipv6.conf.all.force_forwarding", "0")  # unchanged: not copied
    assert s.get("net.ipv6.conf.y1.force_forwarding") == "1"
    assert s.get("net.ipv4.ip_forward") == "0"  # IPv6 forwarding is separate


# --- effective values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "combine"),
    [
        ("rp_filter", max),
        ("arp_ignore", max),
        ("arp_announce", max),
        ("arp_accept", max),
        ("arp_notify", max),
        ("proxy_arp", lambda a, d: bool(a or d)),
        ("arp_filter", lambda a, d: bool(a or d)),
        ("accept_local", lambda a, d: bool(a or d)),
        ("route_localnet", lambda a, d: bool(a or d)),
        ("send_redirects", lambda a, d: bool(a or d)),
        ("shared_media", lambda a, d: bool(a or d)),
        ("log_martians", lambda a, d: bool(a or d)),
        ("promote_secondaries", lambda a, d: bool(a or d)),
        ("ignore_routes_with_linkdown", lambda a, d: bool(a or d)),
        ("drop_gratuitous_arp", lambda a, d: bool(a or d)),
        ("accept_source_route", lambda a, d: bool(a and d)),
        ("arp_evict_nocarrier", lambda a, d: bool(a and d)),
        ("bc_forwarding", lambda a, d: bool(a and d)),
        ("bootp_relay", lambda a, d: bool(a and d)),
    ],
)
def test_effective_values_combine_all_and_device(name: str, combine: Any) -> None:
    s = fresh("eth0")
    getter = getattr(s, name)
    for a in (0, 1, 2):
        for d in (0, 1, 2):
            s.set(f"net.ipv4.conf.all.{name}", a)
            s.set(f"net.ipv4.conf.eth0.{name}", d)
            assert getter("eth0") == combine(a, d), (a, d)


def test_accept_redirects_depends_on_forwarding() -> None:
    """IN_DEV_RX_REDIRECTS: AND when the device forwards, OR otherwise."""
    s = fresh("eth0")
    s.set("net.ipv4.conf.all.accept_redirects", "0")
    assert s.accept_redirects("eth0")  # 0 || 1
    s.set("net.ipv4.conf.eth0.forwarding", "1")
    assert not s.accept_redirects("eth0")  # 0 && 1
    with pytest.raises(NoSuchDevice):
        s.rp_filter("nosuch")


# --- values and errors --------------------------------------------------------------------------


def test_keys_by_name_slash_form_and_proc_path() -> None:
    s = fresh("eth0.100")
    assert s.get("net.ipv4.conf.eth0/100.forwarding") == "0"
    assert s.get("net/ipv4/conf/eth0.100/forwarding") == "0"
    assert s.get("/proc/sys/net/ipv4/conf/eth0.100/forwarding") == "0"
    assert split_key("net.ipv4.conf.eth0/100.rp_filter") == (
        "net",
        "ipv4",
        "conf",
        "eth0.100",
        "rp_filter",
    )
    assert (
        s.write("net/ipv4/conf/eth0.100/rp_filter", "0x1")
        == "net.ipv4.conf.eth0/100.rp_filter = 0x1"
    )
    assert s.get("net.ipv4.conf.eth0/100.rp_filter") == "1"


def test_listing_order_is_strcmp_per_directory() -> None:
    s = fresh("v", "v-a", "v.b", "v_c", "ALL", "aaa")
    keys = [k for k in s.dump("net.ipv4.conf") if k.endswith(".forwarding")]
    devs = [k.split(".")[3] for k in keys]
    assert devs == ["ALL", "aaa", "all", "default", "lo", "v", "v-a", "v/b", "v_c"]
    assert s.lines("net.ipv4.route") == [
        "net.ipv4.route.min_adv_mss = 256",
        "net.ipv4.route.min_pmtu = 552",
        "net.ipv4.route.mtu_expires = 600",
    ]


INVALID = "Invalid argument"


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("net.ipv4.ip_forward", "abc", INVALID),
        ("net.ipv4.ip_forward", "", INVALID),
        ("net.ipv4.ip_forward", "1.5", INVALID),
        ("net.ipv4.ip_forward", "99999999999", INVALID),
        ("net.ipv4.ip_local_port_range", "40000 30000", INVALID),
        ("net.ipv4.ip_local_port_range", "1 65535", INVALID),
        ("net.ipv4.ip_default_ttl", "0", INVALID),
        ("net.ipv4.ip_default_ttl", "256", INVALID),
        ("net.core.somaxconn", "-1", INVALID),
        ("net.core.rmem_max", "5", INVALID),  # read-only: EACCES, printed as EINVAL
        ("net.ipv4.conf.all.mc_forwarding", "1", INVALID),
        ("net.ipv4.conf.lo", "1", INVALID),  # a directory
        ("net.ipv4.tcp_congestion_control", "cubic", "Operation not permitted"),
        ("net.ipv4.tcp_congestion_control", "nosuch", "No such file or directory"),
    ],
)
def test_refused_writes_read_as_sysctl_prints_them(key: str, value: str, reason: str) -> None:
    """Texts from procps-ng 4.0.2 on the 6.18 kernel; nothing changes."""
    s = fresh()
    before = s.dump()
    with pytest.raises(SysctlError) as exc:
        s.set(key, value)
    assert exc.value.message == f'sysctl: setting key "{key}": {reason}'
    assert isinstance(exc.value, NetsimError) and s.dump() == before


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("net.ipv4.nosuch", "net/ipv4/nosuch"),
        ("net.ipv4.conf.nosuchdev.forwarding", "net/ipv4/conf/nosuchdev/forwarding"),
        ("net.ipv4.conf.lo/forwarding", "net/ipv4/conf/lo.forwarding"),
    ],
)
def test_unknown_keys_cannot_be_statted(key: str, path: str) -> None:
    s = fresh()
    for op in (lambda: s.set(key, "1"), lambda: s.get(key)):
        with pytest.raises(SysctlError) as exc:
            op()
        assert (
            exc.value.message == f"sysctl: cannot stat /proc/sys/{path}: No such file or directory"
        )
        assert exc.value.errno == errno.ENOENT


def test_reading_errors() -> None:
    s = fresh()
    with pytest.raises(SysctlError) as exc:
        s.get("net.ipv4.nosuch")
    assert (
        exc.value.message
        == "sysctl: cannot stat /proc/sys/net/ipv4/nosuch: No such file or directory"
    )
    with pytest.raises(SysctlError) as exc:
        s.get("net.ipv4.route.flush")  # write-only: sysctl prints nothing
    assert exc.value.message == "" and exc.value.errno == errno.EACCES
    s.set("net.ipv4.route.flush", "1")
    with pytest.raises(SysctlError):
        s.get("net.ipv4.conf")
    with pytest.raises(SysctlError, match="cannot stat /proc/sys/net/nosuch"):
        s.dump("net.nosuch")
    assert list(s.dump("net.ipv4.conf.lo")) == [
        k for k in s.dump() if k.startswith("net.ipv4.conf.lo.")
    ]


def test_written_text_is_parsed_as_the_kernel_does() -> None:
    s = fresh("eth0")
    cases = [
        ("net.ipv4.conf.all.rp_filter", "0x10", "16"),
        ("net.ipv4.conf.all.rp_filter", "010", "8"),
        ("net.ipv4.conf.all.rp_filter", "1 2", "1"),
        ("net.ipv4.conf.all.rp_filter", " 3", "3"),
        ("net.ipv4.conf.all.rp_filter", "-0", "0"),
        ("net.ipv4.conf.all.rp_filter", "-5", "-5"),  # no range check in devinet
        ("net.ipv4.ip_local_port_range", "40000 50000", "40000\t50000"),
        ("net.ipv4.ip_local_port_range", "45000", "45000\t50000"),  # only the first
        ("net.ipv4.ping_group_range", "5 3", "1\t0"),  # high < low: nobody
        ("net.ipv4.ping_group_range", "0 2147483647", "0\t2147483647"),
        ("net.ipv4.tcp_rmem", "1 2", "1\t2\t33554432"),
        ("net.ipv4.ip_local_reserved_ports", "5,1-3", "1-3,5"),
        ("net.ipv4.ip_local_reserved_ports", "", ""),
        ("net.ipv4.neigh.eth0.retrans_time_ms", "333", "336"),  # HZ=250
        ("net.ipv4.neigh.eth0.retrans_time", "33", "32"),  # USER_HZ=100, via jiffies
        ("net.ipv4.neigh.eth0.base_reachable_time_ms", "12345", "12348"),
        ("net.ipv4.neigh.eth0.unres_qlen_bytes", "5000", "5000"),
        ("net.bridge.bridge-nf-call-iptables", "5", "1"),
        ("net.ipv4.tcp_congestion_control", "reno", "reno"),
    ]
    got = []
    for key, value, _ in cases:
        s.set(key, value)
        got.append(s.get(key))
    assert got == [shown for _, _, shown in cases]
    assert s.get("net.ipv4.neigh.eth0.retrans_time_ms") == "328"
    assert s.get("net.ipv4.neigh.eth0.base_reachable_time") == "12"
    assert s.get("net.ipv4.neigh.eth0.unres_qlen") == "2"  # 5000 // SKB_TRUESIZE 2090
    assert s.neigh_params("eth0").retrans_time == 82 / 250
    s.set("net.ipv4.ip_unprivileged_port_start", "40000")
    with pytest.raises(SysctlError):
        s.set("net.ipv4.ip_local_port_range", "39999 50000")
    with pytest.raises(SysctlError):
        s.set("net.ipv4.ip_unprivileged_port_start", "45001")


def test_a_build_without_ipv6_mroute_and_seg6_hmac_lists_neither() -> None:
    """6.18.44-fc-v1300 (seen on a CI machine): no ``mc_forwarding`` or
    ``seg6_require_hmac`` under ``net.ipv6.conf``, for ``all``, ``default`` and devices."""
    from netsim.kernel.sysctl.build import BUILDS

    s = Sysctls(build=BUILDS["6.18.44-fc-v1300"])
    s.add_device("lo", loopback=True)
    s.add_device("eth0")
    keys = s.dump("net.ipv6.conf")
    assert not [k for k in keys if k.endswith((".mc_forwarding", ".seg6_require_hmac"))]
    assert "net.ipv4.conf.eth0.mc_forwarding" in s.dump()
    with pytest.raises(SysctlError, match="cannot stat /proc/sys/net/ipv6/conf/eth0/mc_forwarding"):
        s.get("net.ipv6.conf.eth0.mc_forwarding")
    assert "net.ipv6.conf.eth0.mc_forwarding" in fresh("eth0").dump()


def test_a_build_refusing_small_tcp_rmem_values() -> None:
    """That build's ``tcp_rmem`` takes no number below 4096; numbers before the
    bad one stay written (``7000 1`` leaves ``7000`` first), as the kernel showed."""
    from netsim.kernel.sysctl.build import BUILDS

    s = Sysctls(build=BUILDS["6.18.44-fc-v1300"])
    with pytest.raises(SysctlError, match="Invalid argument"):
        s.set("net.ipv4.tcp_rmem", "1 2 3")
    with pytest.raises(SysctlError, match="Invalid argument"):
        s.set("net.ipv4.tcp_rmem", "7000 1")
    assert s.get("net.ipv4.tcp_rmem") == "7000\t131072\t33554432"
    s.set("net.ipv4.tcp_wmem", "1 2 3")
    assert s.get("net.ipv4.tcp_wmem") == "1\t2\t3"
    fresh().set("net.ipv4.tcp_rmem", "1 2 3")


def test_namespaces_share_default_scalars_until_one_writes() -> None:
    """The scalar keys start as shared defaults; a write (plain or through a
    special handler) changes only the namespace that made it."""
    a, b = Sysctls(), Sysctls()
    a.set("net.ipv4.ip_default_ttl", "12")
    a.set("net.ipv4.ip_local_port_range", "2000 3000")
    assert a.get("net.ipv4.ip_default_ttl") == "12"
    assert a.get("net.ipv4.ip_local_port_range") == "2000\t3000"
    assert b.get("net.ipv4.ip_default_ttl") == "64"
    assert b.get("net.ipv4.ip_local_port_range") == Sysctls().get("net.ipv4.ip_local_port_range")
    assert Sysctls().lines() == b.lines()


def test_device_trees_shared_until_written() -> None:
    """New devices of fresh namespaces share their trees; a write to one device
    (its conf, neigh, written marks, MTU), a conf.default write and a forwarding
    change each reach only what the kernel would change."""
    a, b = Sysctls(), Sysctls()
    for s in (a, b):
        s.add_device("lo", loopback=True)
        s.add_device("eth0")
        s.add_device("eth1")
    a.set("net.ipv4.conf.eth0.rp_filter", "2")
    a.set("net.ipv4.neigh.eth0.gc_stale_time", "7")
    a.set("net.ipv6.conf.eth0.accept_ra", "0")
    a.set_mtu("eth1", 1400)
    assert a.get("net.ipv4.conf.eth0.rp_filter") == "2"
    assert a.get("net.ipv4.neigh.eth0.gc_stale_time") == "7"
    assert a.get("net.ipv6.conf.eth0.accept_ra") == "0"
    assert a.get("net.ipv6.conf.eth1.mtu") == "1400"
    twin = Sysctls()
    for name, lo in (("lo", True), ("eth0", False), ("eth1", False)):
        twin.add_device(name, loopback=lo)
    assert b.lines() == twin.lines()
    assert a.get("net.ipv4.conf.eth1.rp_filter") == b.get("net.ipv4.conf.eth1.rp_filter")
    # conf.default reaches devices that never wrote the key, not eth0 after its write
    a.set("net.ipv4.conf.default.rp_filter", "1")
    assert a.get("net.ipv4.conf.eth1.rp_filter") == "1"
    assert a.get("net.ipv4.conf.eth0.rp_filter") == "2"
    assert b.get("net.ipv4.conf.eth1.rp_filter") == twin.get("net.ipv4.conf.eth1.rp_filter")
    a.add_device("eth2")  # copies conf.default with its written marks
    a.set("net.ipv4.conf.default.rp_filter", "0")
    assert a.get("net.ipv4.conf.eth2.rp_filter") == "1"
    a.set("net.ipv4.ip_forward", "1")
    assert a.get("net.ipv4.conf.eth1.forwarding") == "1"
    assert b.get("net.ipv4.conf.eth1.forwarding") == "0"
    assert b.lines() == twin.lines()


def test_conf_all_and_default_shared_until_written() -> None:
    """conf.all / conf.default start shared between fresh namespaces; writes
    (direct, through ip_forward, through IPv6 all->default copies) stay in one."""
    a, b, fresh = Sysctls(), Sysctls(), Sysctls()
    a.set("net.ipv4.ip_forward", "1")
    a.set("net.ipv4.conf.all.rp_filter", "2")
    a.set("net.ipv4.conf.default.arp_ignore", "1")
    a.set("net.ipv6.conf.all.forwarding", "1")
    a.set("net.ipv6.conf.default.accept_ra", "0")
    assert a.get("net.ipv4.conf.all.accept_redirects") == "0"
    assert a.get("net.ipv4.conf.default.forwarding") == "1"
    assert a.get("net.ipv6.conf.default.forwarding") == "1"
    assert b.lines() == fresh.lines()
    b.add_device("eth0")
    twin = Sysctls()
    twin.add_device("eth0")
    assert b.lines() == twin.lines()
