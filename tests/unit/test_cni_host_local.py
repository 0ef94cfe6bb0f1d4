"""host-local and static as pure logic over an in-memory filesystem: the
upstream allocator cases (allocator_test.go, range_test.go, host_local_test.go)
and the T3 experiment of cni.md."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest

from netsim.cni import CniError
from netsim.cni.fs import MemPluginFs
from netsim.cni.ipam.allocator import range_iter
from netsim.cni.ipam.disk import Store
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.ipam.ranges import Range, canonicalize_set
from netsim.cni.ipam.static import STATIC
from netsim.cni.skel import Output, Plugin, plugin_main
from netsim.shell.fs import MemFs

D = "/data"


def subnet(cidr: str, **kw: str) -> Range:
    extra = {k: ipaddress.ip_address(v) for k, v in kw.items()}
    return Range(ipaddress.ip_interface(cidr), **extra).canonicalize()


def order(rs: tuple[Range, ...], last: str | None = None) -> list[str]:
    return [str(ip) for ip, _ in range_iter(rs, ipaddress.ip_address(last) if last else None)]


def test_iteration_order_of_a_29() -> None:
    rs = (subnet("192.168.1.0/29"),)
    assert order(rs) == ["192.168.1.2", "192.168.1.3", "192.168.1.4", "192.168.1.5", "192.168.1.6"]
    assert order(rs, "192.168.1.6") == [
        "192.168.1.2",
        "192.168.1.3",
        "192.168.1.4",
        "192.168.1.5",
        "192.168.1.6",
    ]
    assert order(rs, "192.168.1.3") == [
        "192.168.1.4",
        "192.168.1.5",
        "192.168.1.6",
        "192.168.1.2",
        "192.168.1.3",
    ]
    assert order(rs, "10.0.0.1")[0] == "192.168.1.2"  # a last IP outside the set is ignored


def test_last_reserved_at_range_end_moves_to_next_range() -> None:
    rs = canonicalize_set((subnet("192.168.1.0/30"), subnet("192.168.2.0/30")))
    assert order(rs, "192.168.1.2") == ["192.168.2.2", "192.168.1.2"]
    assert order(rs) == ["192.168.1.2", "192.168.2.2"]


def test_range_defaults() -> None:
    r = subnet("10.0.0.0/24")
    assert (str(r.range_start), str(r.range_end), str(r.gateway)) == (
        "10.0.0.1",
        "10.0.0.254",
        "10.0.0.1",
    )
    assert str(subnet("10.0.0.0/25").range_end) == "10.0.0.126"
    v6 = subnet("2001:db8::/64")
    assert (str(v6.range_start), str(v6.range_end)) == (
        "2001:db8::1",
        "2001:db8::ffff:ffff:ffff:ffff",
    )
    with pytest.raises(CniError, match="too small"):
        subnet("10.0.0.0/31")


def run(
    plugin: Plugin,
    fs: MemPluginFs,
    cmd: str,
    cid: str,
    conf: dict[str, Any],
    *,
    ifname: str = "eth0",
    args: str = "",
) -> Output:
    env = {
        "CNI_COMMAND": cmd,
        "CNI_CONTAINERID": cid,
        "CNI_NETNS": "/run/netns/p",
        "CNI_IFNAME": ifname,
        "CNI_PATH": "/usr/lib/cni",
        "CNI_ARGS": args,
    }
    return plugin_main(plugin, env, json.dumps(conf), fs)


def hl_conf(ipam: dict[str, Any], version: str = "1.0.0", **top: Any) -> dict[str, Any]:
    return {
        "cniVersion": version,
        "name": "net",
        **top,
        "ipam": {"type": "host-local", "dataDir": D, **ipam},
    }


def addrs(out: Output) -> list[str]:
    assert out.status == 0, out.stdout
    return [ip["address"] for ip in json.loads(out.stdout)["ips"]]


def err(out: Output) -> str:
    assert out.status == 1
    return str(json.loads(out.stdout)["msg"])


@pytest.fixture
def fs() -> MemPluginFs:
    return MemPluginFs(MemFs())


def test_t3_sequence(fs: MemPluginFs) -> None:
    c = hl_conf({"subnet": "10.30.0.0/29"})
    assert [addrs(run(HOST_LOCAL, fs, "ADD", x, c)) for x in "abcde"] == [
        [f"10.30.0.{i}/29"] for i in range(2, 7)
    ]
    assert err(run(HOST_LOCAL, fs, "ADD", "f", c)) == (
        "failed to allocate for range 0: "
        "no IP addresses available in range set: 10.30.0.1-10.30.0.6"
    )
    run(HOST_LOCAL, fs, "DEL", "c", c)
    assert addrs(run(HOST_LOCAL, fs, "ADD", "h", c)) == ["10.30.0.4/29"]
    run(HOST_LOCAL, fs, "DEL", "a", c)
    run(HOST_LOCAL, fs, "DEL", "b", c)
    assert addrs(run(HOST_LOCAL, fs, "ADD", "i", c)) == ["10.30.0.2/29"]
    assert run(HOST_LOCAL, fs, "DEL", "nope", c).status == 0
    assert [run(HOST_LOCAL, fs, "DEL", "i", c).status for _ in range(2)] == [0, 0]
    assert err(run(HOST_LOCAL, fs, "ADD", "j", c, args="IP=10.30.0.5")).endswith(
        "requested IP address 10.30.0.5 is not available in range set 10.30.0.1-10.30.0.6"
    )
    assert addrs(run(HOST_LOCAL, fs, "ADD", "k", c, args="IP=10.30.0.3")) == ["10.30.0.3/29"]
    assert err(run(HOST_LOCAL, fs, "ADD", "l", c, args="IP=10.30.0.1")).endswith(
        "requested ip 10.30.0.1 is subnet's gateway"
    )
    assert (
        err(run(HOST_LOCAL, fs, "ADD", "m", c, args="IP=10.30.0.9"))
        == "failed to allocate all requested IPs: 10.30.0.9"
    )
    # the dynamic address reserved (then released) on the way is remembered
    assert fs.read(f"{D}/net/last_reserved_ip.0") == "10.30.0.2"
    assert fs.read(f"{D}/net/10.30.0.3") == "k\r\neth0"
    assert fs.mem.listdir(f"{D}/net") == [
        "10.30.0.3",
        "10.30.0.4",
        "10.30.0.5",
        "10.30.0.6",
        "last_reserved_ip.0",
        "lock",
    ]


def test_duplicate_and_per_ifname(fs: MemPluginFs) -> None:
    c = hl_conf({"subnet": "10.1.2.0/24"})
    assert addrs(run(HOST_LOCAL, fs, "ADD", "dummy", c)) == ["10.1.2.2/24"]
    assert "10.1.2.2 has been allocated to dummy, duplicate allocation is not allowed" in err(
        run(HOST_LOCAL, fs, "ADD", "dummy", c)
    )
    assert addrs(run(HOST_LOCAL, fs, "ADD", "dummy", c, ifname="eth1")) == ["10.1.2.3/24"]
    assert addrs(run(HOST_LOCAL, fs, "ADD", "other", c)) == ["10.1.2.4/24"]
    assert run(HOST_LOCAL, fs, "CHECK", "dummy", c, ifname="eth1").status == 0
    assert (
        err(run(HOST_LOCAL, fs, "CHECK", "nope", c))
        == "host-local: Failed to find address added by container nope"
    )
    run(HOST_LOCAL, fs, "DEL", "dummy", c)
    assert not fs.mem.exists(f"{D}/net/10.1.2.2") and fs.mem.exists(f"{D}/net/10.1.2.3")


def test_legacy_id_only_files_and_trimmed_id(fs: MemPluginFs) -> None:
    c = hl_conf({"subnet": "10.1.2.0/24"})
    fs.mkdir_all(f"{D}/net")
    fs.write(f"{D}/net/10.1.2.9", "  old \n")
    assert run(HOST_LOCAL, fs, "CHECK", "old", c, ifname="eth7").status == 0
    assert run(HOST_LOCAL, fs, "DEL", "old", c).status == 0
    assert not fs.mem.exists(f"{D}/net/10.1.2.9")
    Store(fs, "net", D).reserve("  spaced  ", "eth0", ipaddress.ip_address("10.1.2.50"), "0")
    assert fs.read(f"{D}/net/10.1.2.50") == "spaced\r\neth0"


def test_custom_gateway_frees_dot_one(fs: MemPluginFs) -> None:
    c = hl_conf({"subnet": "10.31.0.0/29", "gateway": "10.31.0.6"})
    got = [run(HOST_LOCAL, fs, "ADD", x, c) for x in "ab"]
    assert [addrs(o) for o in got] == [["10.31.0.1/29"], ["10.31.0.2/29"]]
    assert json.loads(got[0].stdout)["ips"][0]["gateway"] == "10.31.0.6"


def test_t3_range_sets(fs: MemPluginFs) -> None:
    c = hl_conf(
        {
            "ranges": [
                [
                    {
                        "subnet": "10.32.0.0/24",
                        "rangeStart": "10.32.0.100",
                        "rangeEnd": "10.32.0.101",
                    },
                    {"subnet": "10.33.0.0/30"},
                ],
                [{"subnet": "fd00:32::/64"}],
            ],
            "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0", "gw": "fd00:32::fe"}],
        }
    )
    first = run(HOST_LOCAL, fs, "ADD", "1", c)
    assert json.loads(first.stdout) == {
        "cniVersion": "1.0.0",
        "ips": [
            {"address": "10.32.0.100/24", "gateway": "10.32.0.1"},
            {"address": "fd00:32::2/64", "gateway": "fd00:32::1"},
        ],
        "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0", "gw": "fd00:32::fe"}],
        "dns": {},
    }
    assert addrs(run(HOST_LOCAL, fs, "ADD", "2", c)) == ["10.32.0.101/24", "fd00:32::3/64"]
    assert addrs(run(HOST_LOCAL, fs, "ADD", "3", c)) == ["10.33.0.2/30", "fd00:32::4/64"]
    assert err(run(HOST_LOCAL, fs, "ADD", "4", c)) == (
        "failed to allocate for range 0: no IP addresses available in range set: "
        "10.32.0.100-10.32.0.101,10.33.0.1-10.33.0.2"
    )
    assert fs.read(f"{D}/net/last_reserved_ip.0") == "10.33.0.2"
    assert fs.read(f"{D}/net/last_reserved_ip.1") == "fd00:32::4"


def test_failure_in_a_later_set_releases_earlier_ones(fs: MemPluginFs) -> None:
    c = hl_conf({"ranges": [[{"subnet": "10.1.2.0/24"}], [{"subnet": "2001:db8::/64"}]]})
    run(HOST_LOCAL, fs, "ADD", "x", c, args="IP=2001:db8::5")
    assert "requested IP address 2001:db8::5 is not available" in err(
        run(HOST_LOCAL, fs, "ADD", "y", c, args="IP=2001:db8::5")
    )
    assert not fs.mem.exists(f"{D}/net/10.1.2.3")  # y's v4 address was given back


def test_requested_ips_from_config(fs: MemPluginFs) -> None:
    assert addrs(
        run(
            HOST_LOCAL,
            fs,
            "ADD",
            "a",
            hl_conf({"subnet": "10.40.0.0/24"}, args={"cni": {"ips": ["10.40.0.9"]}}),
        )
    ) == ["10.40.0.9/24"]
    assert addrs(
        run(
            HOST_LOCAL,
            fs,
            "ADD",
            "b",
            hl_conf({"subnet": "10.40.0.0/24"}, runtimeConfig={"ips": ["10.40.0.7/24"]}),
        )
    ) == ["10.40.0.7/24"]


@pytest.mark.parametrize(
    ("ipam", "version", "msg"),
    [
        (
            {"subnet": "10.0.0.0/31"},
            "1.0.0",
            "invalid range set 0: Network 10.0.0.0/31 too small to allocate from",
        ),
        (
            {"subnet": "10.0.0.1/24"},
            "1.0.0",
            "invalid range set 0: Network has host bits set. "
            "For a subnet mask of length 24 the network address is 10.0.0.0",
        ),
        ({}, "1.0.0", "no IP ranges specified"),
        (
            {"ranges": [[{"subnet": "10.5.0.0/24"}], [{"subnet": "10.6.0.0/24"}]]},
            "0.2.0",
            "CNI version 0.2.0 does not support more than 1 address per family",
        ),
        (
            {"ranges": [[{"subnet": "10.5.0.0/24"}], [{"subnet": "10.5.0.0/25"}]]},
            "1.0.0",
            "range set 0 overlaps with 1",
        ),
        (
            {"subnet": "10.7.0.0/24", "rangeStart": "10.8.0.1"},
            "1.0.0",
            "invalid range set 0: RangeStart 10.8.0.1 not in network 10.7.0.0/24",
        ),
    ],
)
def test_config_errors(fs: MemPluginFs, ipam: dict[str, Any], version: str, msg: str) -> None:
    assert err(run(HOST_LOCAL, fs, "ADD", "a", hl_conf(ipam, version))) == msg


def test_missing_ipam_and_resolv_conf(fs: MemPluginFs) -> None:
    assert (
        err(run(HOST_LOCAL, fs, "ADD", "a", {"cniVersion": "1.0.0", "name": "n"}))
        == "IPAM config missing 'ipam' key"
    )
    fs.write("/resolv.conf", "# c\nnameserver 1.1.1.1\nsearch a b\noptions ndots:5\ndomain x\n")
    out = run(
        HOST_LOCAL, fs, "ADD", "a", hl_conf({"subnet": "10.0.0.0/24", "resolvConf": "/resolv.conf"})
    )
    assert json.loads(out.stdout)["dns"] == {
        "nameservers": ["1.1.1.1"],
        "domain": "x",
        "search": ["a", "b"],
        "options": ["ndots:5"],
    }


def test_static(fs: MemPluginFs) -> None:
    c = {
        "cniVersion": "0.3.1",
        "name": "s",
        "ipam": {"type": "static", "addresses": [{"address": "10.0.0.5/24"}]},
    }
    out = run(STATIC, fs, "ADD", "a", c, args="IP=10.1.0.2/16;GATEWAY=10.1.0.1")
    assert json.loads(out.stdout)["ips"] == [
        {"version": "4", "address": "10.0.0.5/24"},
        {"version": "4", "address": "10.1.0.2/16", "gateway": "10.1.0.1"},
    ]
    c2 = {**c, "args": {"cni": {"ips": ["10.3.0.2"]}}}
    assert (
        err(run(STATIC, fs, "ADD", "a", c2))
        == "an entry in the 'ips' field is NOT in CIDR notation, got: '10.3.0.2'"
    )
    assert run(STATIC, fs, "DEL", "a", {"cniVersion": "1.0.0", "name": "s"}).status == 0
    assert (
        err(run(STATIC, fs, "CHECK", "a", {**c, "cniVersion": "1.0.0"}))
        == "Required prevResult missing"
    )
