"""The skel (env var checks, config checks, dispatch, VERSION, the about text)
and the plugins as executables of ``netsim sh``."""

from __future__ import annotations

import json

import pytest

from netsim import World
from netsim.cni.fs import MemPluginFs
from netsim.cni.ipam.host_local import HOST_LOCAL
from netsim.cni.skel import plugin_main
from netsim.shell.fs import MemFs

CONF = (
    '{"cniVersion":"1.0.0","name":"n",'
    '"ipam":{"type":"host-local","dataDir":"/d","subnet":"10.0.0.0/24"}}'
)
ENV = {
    "CNI_COMMAND": "ADD",
    "CNI_CONTAINERID": "c1",
    "CNI_NETNS": "/run/netns/p",
    "CNI_IFNAME": "eth0",
    "CNI_PATH": "/usr/lib/cni",
}
SUPPORTED = '["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]'


def error(env: dict[str, str], stdin: str = CONF) -> tuple[int, str, str]:
    out = plugin_main(HOST_LOCAL, env, stdin, MemPluginFs(MemFs()))
    assert out.status == 1 and out.stderr == ""
    e = json.loads(out.stdout)
    return e["code"], e["msg"], e.get("details", "")


@pytest.mark.parametrize(
    ("changes", "stdin", "want"),
    [
        (
            {"CNI_CONTAINERID": "", "CNI_PATH": ""},
            CONF,
            (4, "required env variables [CNI_CONTAINERID,CNI_PATH] missing", ""),
        ),
        (
            {"CNI_COMMAND": "DEL", "CNI_NETNS": "", "CNI_IFNAME": ""},
            CONF,
            (4, "required env variables [CNI_IFNAME] missing", ""),
        ),
        ({}, "", (6, "error unmarshall network config: unexpected end of JSON input", "")),
        ({}, '{"cniVersion":"1.0.0"}', (7, "missing network name", "")),
        ({}, '{"name":"n/x"}', (7, "invalid characters found in network name", "n/x")),
        ({"CNI_CONTAINERID": "-abc/"}, CONF, (4, "invalid characters in containerID", "-abc/")),
        (
            {"CNI_IFNAME": "a" * 16},
            CONF,
            (4, "interface name is too long", "interface name should be less than 16 characters"),
        ),
        ({"CNI_IFNAME": ".."}, CONF, (4, "interface name is . or ..", "")),
        (
            {"CNI_IFNAME": "e:0"},
            CONF,
            (4, "interface name contains / or : or whitespace characters", ""),
        ),
        ({"CNI_COMMAND": "STATUS"}, CONF, (4, "unknown CNI_COMMAND: STATUS", "")),
        ({"CNI_COMMAND": "GC", "CNI_CONTAINERID": ""}, CONF, (3, "missing containerID", "")),
        (
            {"CNI_COMMAND": "CHECK"},
            CONF.replace("1.0.0", "0.3.1"),
            (1, "config version does not allow CHECK", ""),
        ),
        (
            {},
            CONF.replace("1.0.0", "1.1.0"),
            (1, "incompatible CNI versions", f'config is "1.1.0", plugin supports {SUPPORTED}'),
        ),
    ],
)
def test_skel_validation_order(
    changes: dict[str, str], stdin: str, want: tuple[int, str, str]
) -> None:
    assert error({**ENV, **changes}, stdin) == want


def test_version_and_about() -> None:
    fs = MemPluginFs(MemFs())
    v = plugin_main(HOST_LOCAL, {"CNI_COMMAND": "VERSION"}, "garbage", fs)
    assert v.status == 0
    assert (
        v.stdout == '{"cniVersion":"1.0.0","supportedVersions":'
        '["0.1.0","0.2.0","0.3.0","0.3.1","0.4.0","1.0.0"]}\n'
    )
    about = plugin_main(HOST_LOCAL, {}, "", fs)
    assert (about.stdout, about.status) == ("", 0)
    assert about.stderr == (
        "CNI host-local plugin version unknown\n"
        "CNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0\n"
    )


SETUP = """\
mkdir -p /etc
cat > /etc/cni.json <<EOF
{"cniVersion":"1.0.0","name":"n","ipam":{"type":"host-local","dataDir":"/run/ipam","subnet":"10.9.0.0/24"}}
EOF
export CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/p CNI_IFNAME=eth0
export CNI_PATH=/opt/cni/bin
"""


def test_plugins_are_executables_of_netsim_sh() -> None:
    w = World()
    assert (
        w.sh("ls /usr/lib/cni /opt/cni/bin").stdout
        == "/opt/cni/bin:\nbandwidth\nbridge\ndhcp\nfirewall\nflannel\nhost-device\nhost-local\n"
        "ipvlan\nloopback\nmacvlan\nportmap\nptp\nstatic\ntuning\nvlan\n\n/usr/lib/cni:\nbandwidth\n"
        "bridge\ndhcp\nfirewall\nflannel\nhost-device\nhost-local\nipvlan\nloopback\nmacvlan\n"
        "portmap\nptp\nstatic\ntuning\nvlan\n"
    )
    r = w.sh(
        SETUP + "/opt/cni/bin/host-local < /etc/cni.json | grep address; echo $?\n"
        "CNI_CONTAINERID=c2 /usr/lib/cni/host-local < /etc/cni.json | grep address\n"
        "ip netns add p\n"
        "ip netns exec p env CNI_CONTAINERID=c3 /usr/lib/cni/host-local < /etc/cni.json"
        " | grep address\n"
        "cat /run/ipam/n/last_reserved_ip.0; echo\n"
        'CNI_COMMAND=DEL /usr/lib/cni/host-local < /etc/cni.json; echo "del $?"\n'
        "ls /run/ipam/n\n"
        '/usr/lib/cni/host-local < /dev/null; echo " $?"\n'
    )
    assert r.stderr == ""
    lines = r.stdout.splitlines()
    assert [ln.strip() for ln in lines[:6]] == [
        '"address": "10.9.0.2/24",',
        "0",
        '"address": "10.9.0.3/24",',
        '"address": "10.9.0.4/24",',
        "10.9.0.4",
        "del 0",
    ]
    assert lines[6:10] == ["10.9.0.3", "10.9.0.4", "last_reserved_ip.0", "lock"]
    assert r.stdout.endswith(
        '"msg": "error unmarshall network config: unexpected end of JSON input"\n} 1\n'
    )


def test_missing_and_removed_plugins() -> None:
    w = World()
    r = w.sh(
        "/usr/lib/cni/nosuch; echo $?\n"
        "rm /usr/lib/cni/static; /usr/lib/cni/static; echo $?\n"
        "echo x > /usr/lib/cni/mine; /usr/lib/cni/mine; echo $?\n"
        "/usr/lib/cni; echo $?"
    )
    assert r.stdout == "127\n127\n126\n126\n"
    assert r.stderr == (
        "netsim: line 1: /usr/lib/cni/nosuch: No such file or directory\n"
        "netsim: line 2: /usr/lib/cni/static: No such file or directory\n"
        "netsim: line 3: /usr/lib/cni/mine: Permission denied\n"
        "netsim: line 4: /usr/lib/cni: Is a directory\n"
    )
    assert w.sh("/usr/lib/cni/host-local").stderr.startswith(
        "CNI host-local plugin version unknown\n"
    )
