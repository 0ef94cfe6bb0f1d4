# ruff: noqa: E501  (the scripts carry JSON configs on one line, as a shell user writes them)
"""The IPAM plugins of ``netsim sh`` against the real binaries (containernetworking
plugins v1.1.1 in ``/usr/lib/cni``, Debian package containernetworking-plugins):
each script runs under bash in the kernel sandbox and under ``netsim sh``, and
must print the same: the result or error JSON of every command, its exit
status, and the files each leaves in the data directory (``\\r`` shown as ``#``).

On the kernel side ``/var/lib`` and ``/run`` are fresh tmpfs mounts of the
sandbox's own mount namespace, so nothing reaches the machine's filesystem."""

from __future__ import annotations

from pathlib import Path

import pytest

from netsim import World
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

PLUGINS = Path("/usr/lib/cni")

KERNEL_PRELUDE = """\
set +u  # the helpers below use unset positional parameters
mount -t tmpfs none /var/lib
mount -t tmpfs none /run
mkdir -p /run/netns
exec 2>&1
"""

#: Helpers both sides run: ``cni CMD ID IFNAME [CNI_ARGS] < conf`` prints the
#: plugin's output and its status; ``dump DIR`` prints every file of DIR.
PRELUDE = """\
export LC_ALL=C
PLUGIN=host-local
cni() {
  env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS=/run/netns/pod CNI_IFNAME="$3" \\
    CNI_PATH=/usr/lib/cni CNI_ARGS="$4" /usr/lib/cni/$PLUGIN
  echo " [$1 $2 $3 rc=$?]"
}
dump() {
  for f in $(ls $1); do echo "$f: $(tr '\\r' '#' < $1/$f)"; done
}
"""

D = "/run/cni/ipam"


def conf(name: str, ipam: str, *, version: str | None = "1.0.0", extra: str = "") -> str:
    v = f'"cniVersion":"{version}",' if version is not None else ""
    return f'{{{v}"name":"{name}",{extra}"ipam":{{"type":"host-local","dataDir":"{D}",{ipam}}}}}'


T3 = conf("hl1", '"subnet":"10.30.0.0/29"')

CASES: dict[str, str] = {
    "t3-sequence": f"""
C='{T3}'
for id in a b c d e f; do cni ADD $id eth0 <<< "$C"; done
cni DEL c eth0 <<< "$C"
cni ADD h eth0 <<< "$C"
cni DEL a eth0 <<< "$C"; cni DEL b eth0 <<< "$C"
cni ADD i eth0 <<< "$C"
cni DEL nope eth0 <<< "$C"; cni DEL i eth0 <<< "$C"; cni DEL i eth0 <<< "$C"
dump {D}/hl1
cni ADD j eth0 IP=10.30.0.5 <<< "$C"
cni ADD k eth0 IP=10.30.0.3 <<< "$C"
cni ADD l eth0 IP=10.30.0.1 <<< "$C"
cni ADD m eth0 IP=10.30.0.9 <<< "$C"
cni ADD n eth0 ip=10.30.0.4 <<< "$C"
cni ADD n eth0 K8S_POD_NAME=x <<< "$C"
cni ADD n eth0 'IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.30.0.4' <<< "$C"
cni ADD n eth0 'IP=foo' <<< "$C"
cni ADD n eth0 'IP=1=2' <<< "$C"
cni ADD n eth0 'IP=10.30.0.2;' <<< "$C"
cni ADD n eth0 'CommonArgs=1' <<< "$C"
cni ADD n eth0 'IgnoreUnknown=yes' <<< "$C"
dump {D}/hl1
cni CHECK k eth0 <<< "$C"; cni CHECK nope eth0 <<< "$C"
cni ADD k eth1 <<< "$C"
cni ADD k eth1 <<< "$C"
cni DEL k eth0 <<< "$C"
dump {D}/hl1
""",
    "requested-in-config": f"""
cni ADD a eth0 <<< '{conf("rq", '"subnet":"10.40.0.0/24"', extra='"args":{"cni":{"ips":["10.40.0.9"]}},')}'
cni ADD b eth0 <<< '{conf("rq", '"subnet":"10.40.0.0/24"', extra='"runtimeConfig":{"ips":["10.40.0.7/24"]},')}'
cni ADD c eth0 <<< '{conf("rq", '"subnet":"10.40.0.0/24"', extra='"runtimeConfig":{"ips":["10.40.0.7"]},')}'
cni ADD d eth0 <<< '{conf("rq", '"subnet":"10.40.0.0/24"', extra='"runtimeConfig":{"ipRanges":[[{"subnet":"10.41.0.0/24"}]]},')}'
dump {D}/rq
""",
    "versions": f"""
for v in 0.1.0 0.2.0 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0 2.0 x.y ''; do
  cni ADD a$v eth0 <<< '{{"cniVersion":"'$v'","name":"v{{}}","ipam":{{"type":"host-local","dataDir":"{D}","subnet":"10.50.0.0/24","routes":[{{"dst":"0.0.0.0/0"}},{{"dst":"10.9.0.5/16","gw":"10.50.0.1"}}]}}}}'
done
cni ADD nover eth0 <<< '{conf("nov", '"subnet":"10.51.0.0/24"', version=None)}'
cni CHECK a0.3.1 eth0 <<< '{conf("v{}", '"subnet":"10.50.0.0/24"', version="0.3.1")}'
cni CHECK a0.4.0 eth0 <<< '{conf("v{}", '"subnet":"10.50.0.0/24"', version="0.4.0")}'
env CNI_COMMAND=VERSION /usr/lib/cni/host-local <<< 'garbage'; echo "rc=$?"
env CNI_COMMAND=VERSION /usr/lib/cni/static < /dev/null; echo "rc=$?"
/usr/lib/cni/host-local < /dev/null 2>&1; echo "rc=$?"
env CNI_COMMAND= /usr/lib/cni/static < /dev/null 2>&1; echo "rc=$?"
""",
    "skel-errors": f"""
C='{T3}'
cni ADD a eth0 <<< 'garbage'
cni ADD a eth0 <<< '{{"name":"x"'
cni ADD a eth0 <<< '[]'
cni ADD a eth0 <<< '{{"name":3}}'
cni ADD a eth0 <<< '{{"cniVersion":"1.0.0"}}'
cni ADD a eth0 <<< '{{"name":"n/x"}}'
cni ADD a eth0 <<< '{{"name":"-x"}}'
cni ADD -abc/ eth0 <<< "$C"
cni ADD 'a b' eth0 <<< "$C"
cni ADD a abcdefghijklmnop <<< "$C"
cni ADD a . <<< "$C"
cni ADD a .. <<< "$C"
cni ADD a e/0 <<< "$C"
cni ADD a 'e 0' <<< "$C"
cni STATUS a eth0 <<< "$C"
cni GC a eth0 <<< "$C"
env CNI_COMMAND=GC /usr/lib/cni/host-local <<< "$C"; echo " rc=$?"
env CNI_COMMAND=ADD /usr/lib/cni/host-local <<< "$C"; echo " rc=$?"
env CNI_COMMAND=DEL /usr/lib/cni/host-local <<< "$C"; echo " rc=$?"
env CNI_COMMAND=CHECK CNI_IFNAME=eth0 /usr/lib/cni/host-local <<< "$C"; echo " rc=$?"
env CNI_COMMAND=DEL CNI_CONTAINERID=a CNI_IFNAME=eth0 CNI_PATH=/x /usr/lib/cni/host-local <<< "$C"
echo " rc=$?"
""",
    "config-errors": f"""
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.0.0.0/31"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.0.0.1/31"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.0.0.1/24"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"foo"')}'
cni ADD a eth0 <<< '{conf("e", '"routes":[]')}'
cni ADD a eth0 <<< '{{"cniVersion":"1.0.0","name":"e"}}'
cni ADD a eth0 <<< '{conf("e", '"ranges":[[]]')}'
cni ADD a eth0 <<< '{conf("e", '"ranges":[[{"subnet":"10.5.0.0/24"},{"subnet":"fd00::/64"}]]')}'
cni ADD a eth0 <<< '{conf("e", '"ranges":[[{"subnet":"10.5.0.0/24"},{"subnet":"10.5.0.0/25"}]]')}'
cni ADD a eth0 <<< '{conf("e", '"ranges":[[{"subnet":"10.5.0.0/24"}],[{"subnet":"10.5.0.0/25"}]]')}'
cni ADD a eth0 <<< '{conf("e", '"ranges":[[{"subnet":"10.5.0.0/24"}],[{"subnet":"10.6.0.0/25"}]]', version="0.2.0")}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.7.0.0/24","rangeStart":"10.8.0.1"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.7.0.0/24","rangeEnd":"10.8.0.1"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.7.0.0/24","resolvConf":"/nonexistent"')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.7.0.0/24","routes":[{"dst":"bad"}]')}'
cni ADD a eth0 <<< '{conf("e", '"subnet":"10.7.0.0/24","routes":[{"dst":"0.0.0.0/0","gw":"bad"}]')}'
cni DEL a eth0 <<< '{conf("e", '"subnet":"10.0.0.0/31"')}'
""",
    "range-sets": f"""
C='{conf("rs", '"ranges":[[{"subnet":"10.32.0.0/24","rangeStart":"10.32.0.100","rangeEnd":"10.32.0.101"},{"subnet":"10.33.0.0/30"}],[{"subnet":"fd00:32::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00:32::fe"}]')}'
for id in r1 r2 r3 r4; do cni ADD $id eth0 <<< "$C"; done
dump {D}/rs
cni DEL r2 eth0 <<< "$C"
cni ADD r5 eth0 <<< "$C"
cni ADD r6 eth0 'IP=fd00:32::9' <<< "$C"
dump {D}/rs
G='{conf("gw", '"subnet":"10.31.0.0/29","gateway":"10.31.0.6"')}'
for id in g1 g2 g3 g4 g5 g6 g7; do cni ADD $id eth0 <<< "$G"; done
cni ADD g8 eth0 IP=10.31.0.6 <<< "$G"
""",
    "wrap-and-legacy": f"""
C='{conf("wl", '"subnet":"192.168.1.0/29"')}'
mkdir -p {D}/wl
printf 'legacy' > {D}/wl/192.168.1.3
printf '192.168.1.4' > {D}/wl/last_reserved_ip.0
cni ADD a eth0 <<< "$C"
cni ADD b eth0 <<< "$C"
cni ADD c eth0 <<< "$C"
cni ADD legacy eth0 <<< "$C"
cni CHECK legacy eth9 <<< "$C"
cni DEL legacy eth9 <<< "$C"
printf '10.0.0.1' > {D}/wl/last_reserved_ip.0
cni ADD d eth0 <<< "$C"
printf 'bogus' > {D}/wl/last_reserved_ip.0
cni ADD e eth0 <<< "$C"
printf '  padded  ' > {D}/wl/192.168.1.6
cni DEL padded eth0 <<< "$C"
dump {D}/wl
""",
    "release-on-later-failure": f"""
C='{conf("lf", '"ranges":[[{"subnet":"10.1.2.0/24"}],[{"subnet":"2001:db8::/64"}]]')}'
cni ADD a eth0 <<< "$C"
cni ADD a eth0 IP=10.1.2.50 <<< "$C"
dump {D}/lf
cni ADD b eth0 IP=2001:db8::2 <<< "$C"
cni ADD b eth0 'IP=10.1.2.9/24' <<< "$C"
dump {D}/lf
""",
    "default-datadir": """
cni ADD a eth0 <<< '{"cniVersion":"1.0.0","name":"dd","ipam":{"type":"host-local","subnet":"10.60.0.0/24"}}'
dump /var/lib/cni/networks/dd
cni DEL a eth0 <<< '{"cniVersion":"1.0.0","name":"dd","ipam":{"type":"host-local","subnet":"10.60.0.0/24"}}'
ls /var/lib/cni/networks/dd
""",
    "static": """
PLUGIN=static
S='"type":"static"'
cni ADD a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24","gateway":"10.0.0.1"},{"address":"fd00::5/64"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"10.9.0.5/16","gw":"10.0.0.1"}],"dns":{"nameservers":["1.1.1.1"],"domain":"d","search":["a","b"],"options":["x"]}}}'
cni ADD a eth0 <<< '{"cniVersion":"0.2.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24","gateway":"10.0.0.1"},{"address":"fd00::5/64"}],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00::1"}]}}'
cni ADD a eth0 'IP=10.1.0.2/16,10.2.0.2/24;GATEWAY=10.1.0.1' <<< '{"cniVersion":"0.3.1","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24"}]}}'
cni ADD a eth0 <<< '{"cniVersion":"0.3.1","name":"s","args":{"cni":{"ips":["10.3.0.2"]}},"ipam":{'$S'}}'
cni ADD a eth0 <<< '{"cniVersion":"0.4.0","name":"s","runtimeConfig":{"ips":["10.3.0.2/8"]},"args":{"cni":{"ips":["10.3.0.2/24"]}},"ipam":{'$S',"addresses":[{"address":"10.0.0.5/24"}]}}'
cni ADD a eth0 <<< '{"cniVersion":"0.2.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24"},{"address":"10.0.1.5/24"}]}}'
cni ADD a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5"}]}}'
cni ADD a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S'}}'
cni ADD a eth0 <<< '{"cniVersion":"1.0.0","name":"s"}'
cni ADD a eth0 IP=foo <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S'}}'
cni ADD a eth0 'IP=10.0.0.5/24;GATEWAY=foo' <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S'}}'
cni ADD a eth0 X=1 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S'}}'
cni CHECK a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24"}]}}'
cni CHECK a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24","gateway":"10.0.0.1"}]},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.5/24","gateway":"10.0.0.2"}]}}'
cni CHECK a eth0 <<< '{"cniVersion":"1.0.0","name":"s","ipam":{'$S',"addresses":[{"address":"10.0.0.5/24","gateway":"10.0.0.1"}]},"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.5/24","gateway":"10.0.0.1"}]}}'
cni DEL a eth0 <<< '{"cniVersion":"1.0.0","name":"s"}'
""",
}


def kernel_out(script: str) -> str:
    if not (PLUGINS / "host-local").exists():
        pytest.skip("CNI plugins not installed (Debian package containernetworking-plugins)")
    return sandbox.run(KERNEL_PRELUDE + PRELUDE + script)


def sim_out(script: str) -> str:
    r = World(seed=1).sh(PRELUDE + script)
    assert r.stderr == "", "netsim printed to stderr where bash would interleave it"
    return r.stdout


@pytest.mark.parametrize("name", sorted(CASES))
def test_ipam_plugin_matches_the_real_binary(name: str) -> None:
    script = CASES[name]
    want = kernel_out(script)
    got = sim_out(script)
    assert got.splitlines() == want.splitlines()
