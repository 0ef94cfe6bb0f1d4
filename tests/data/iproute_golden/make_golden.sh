#!/usr/bin/env bash
# Regenerate the iproute2 golden fixtures used by tests/unit/test_render.py.
#
# Needs no privilege and touches nothing on the host: it re-executes itself in
# a fresh user + network + mount namespace (unshare -Urnm), builds a series of
# link/bridge/vxlan states in throw-away network namespaces, and for every
# state records what iproute2 prints, both as JSON (-j) and as text:
#
#   ip_link      ip link show           ip -j link show
#   ip_d_link    ip -d link show        ip -j -d link show
#   ip_br_link   ip -br link show       ip -j -br link show
#   fdb          bridge fdb show        bridge -j fdb show
#   fdb_s        bridge -s fdb show     bridge -j -s fdb show
#   br_link      bridge link show       bridge -j link show
#   br_d_link    bridge -d link show    bridge -j -d link show
#
# into OUTDIR/<state>.<netns>/<name>.{json,txt}, plus netns.json, the output
# of `ip -j netns list-id` (what `ip` uses to print `link-netns NAME`).
# Time-dependent fields (bridge timers, `used` counters) are made consistent by
# re-reading until the JSON taken before and after the text is identical.
#
#   usage: tests/data/iproute_golden/make_golden.sh [OUTDIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(realpath -m "${1:-$here}")

if [[ ${NETSIM_GOLDEN_SANDBOX:-} != 1 ]]; then
    exec env NETSIM_GOLDEN_SANDBOX=1 unshare -Urnm bash "${BASH_SOURCE[0]}" "$out"
fi

mkdir -p /run/netns
mount -t tmpfs none /run/netns
helpers=()

cleanup() {
    local pid
    for pid in "${helpers[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${helpers[@]}"; do wait "$pid" 2>/dev/null || true; done
    helpers=()
    ip -all netns delete 2>/dev/null || true
}
trap cleanup EXIT

# newns NAME [ipv6]: a named netns, IPv6 disabled unless asked for.
newns() {
    ip netns add "$1"
    if [[ ${2:-} != ipv6 ]]; then
        ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
    fi
}

# pair DIR NAME TOOL NS "OPTS" "SUBCMD": text and JSON of one command.
pair() {
    local dir=$1 name=$2 tool=$3 ns=$4 opts=$5 sub=$6 i
    for i in $(seq 200); do
        # shellcheck disable=SC2086
        {
            $tool -n "$ns" -j $opts $sub >"$dir/$name.json"
            $tool -n "$ns" $opts $sub >"$dir/$name.txt"
            $tool -n "$ns" -j $opts $sub >"$dir/$name.json2"
        }
        if cmp -s "$dir/$name.json" "$dir/$name.json2"; then
            rm "$dir/$name.json2"
            return 0
        fi
    done
    echo "could not get a consistent snapshot for $dir/$name" >&2
    exit 1
}

# capture STATE NS: every command, run in netns NS.
capture() {
    local dir=$out/$1.$2
    rm -rf "$dir"
    mkdir -p "$dir"
    ip -n "$2" -j netns list-id >"$dir/netns.json"
    pair "$dir" ip_link ip "$2" "" "link show"
    pair "$dir" ip_d_link ip "$2" "-d" "link show"
    pair "$dir" ip_br_link ip "$2" "-br" "link show"
    pair "$dir" fdb bridge "$2" "" "fdb show"
    pair "$dir" fdb_s bridge "$2" "-s" "fdb show"
    pair "$dir" br_link bridge "$2" "" "link show"
    pair "$dir" br_d_link bridge "$2" "-d" "link show"
    echo "wrote $dir"
}

settle() { sleep "${1:-1.5}"; }

# --- fresh: a brand-new netns, nothing touched -----------------------------
newns a
capture fresh a
cleanup

# --- lo_up ------------------------------------------------------------------
newns a
ip -n a link set lo up
capture lo_up a
cleanup

# --- veth pair inside one netns: both down, one up, both up ----------------
newns a
ip -n a link set lo up
ip -n a link add va address 02:00:00:00:01:01 type veth \
    peer name vb address 02:00:00:00:01:02
capture veth_down a
ip -n a link set va up
settle
capture veth_one_up a
ip -n a link set vb up
ip -n a link set va mtu 1400
ip -n a link set vb address 02:00:00:00:01:99
ip -n a link set vb txqueuelen 0
ip -n a link set va alias "uplink to b"
ip -n a link property add dev va altname va-altname
settle
capture veth_both_up a
cleanup

# --- veth ends moved to a named and to an unnamed netns ---------------------
newns a
newns b
ip -n a link set lo up
unshare -n sleep 600 &
helpers+=($!)
sleep 0.2
ip -n a link add va address 02:00:00:00:02:01 type veth \
    peer name vb address 02:00:00:00:02:02
ip -n a link add vc address 02:00:00:00:02:03 type veth \
    peer name vd address 02:00:00:00:02:04
ip -n a link set vb netns b
ip -n a link set vd netns "${helpers[0]}"
ip -n a link set va up
ip -n a link set vc up
ip -n b link set vb up
settle
capture veth_netns a
capture veth_netns b
cleanup

# --- bridge with 3 veth ports, hosts in their own netns ---------------------
newns a
ip -n a link set lo up
ip -n a link add br0 address 02:00:00:00:0b:00 type bridge
for i in 1 2 3; do
    newns h$i
    ip -n a link add vh$i address 02:00:00:00:0a:0$i type veth \
        peer name vp$i address 02:00:00:00:0c:0$i
    ip -n a link set vp$i netns h$i
    ip -n h$i addr add 10.0.0.$i/24 dev vp$i
    ip -n h$i link set vp$i up
    ip -n a link set vh$i master br0
done
ip -n a link set vh1 up
ip -n a link set vh2 up
ip -n a link set br0 up
ip -n a link set br0 address 02:00:00:00:0b:99
ip -n a link set vh2 mtu 1400
ip -n a link set dev vh1 type bridge_slave hairpin on
bridge -n a link set dev vh2 learning off
bridge -n a fdb add 02:00:00:00:0d:01 dev vh1 master static
bridge -n a fdb add 02:00:00:00:0d:02 dev vh2 master dynamic
bridge -n a fdb add 02:00:00:00:0d:03 dev vh3 master permanent
bridge -n a fdb add 02:00:00:00:0d:04 dev vh1 master sticky static
bridge -n a fdb add 02:00:00:00:0d:05 dev vh1 master extern_learn
settle
# vp1 ARPs for 10.0.0.2: the bridge learns vp1's MAC on vh1 (vh2 does not learn)
ip netns exec h1 bash -c 'echo x >/dev/udp/10.0.0.2/9'
settle
capture bridge a
capture bridge h1
cleanup

# --- a bridge with IPv6 left enabled: 33:33:... self entries ----------------
newns a ipv6
ip -n a link add br6 address 02:00:00:00:06:00 type bridge
ip -n a link add vh1 address 02:00:00:00:06:01 type veth \
    peer name vp1 address 02:00:00:00:06:11
ip -n a link add vh2 address 02:00:00:00:06:02 type veth \
    peer name vp2 address 02:00:00:00:06:12
ip -n a link set vh1 master br6
ip -n a link set vh2 master br6
ip -n a link set dev vh2 type bridge_slave learning off flood off isolated on
ip -n a link set dev vh1 type bridge_slave cost 7 priority 9
ip -n a link set vh1 up
ip -n a link set vp1 up
ip -n a link set br6 up
settle 3
capture bridge_ipv6 a
cleanup

# --- vxlan and macvlan ------------------------------------------------------
newns a
ip -n a link set lo up
ip -n a link add vu0 address 02:00:00:00:05:01 type veth \
    peer name vu1 address 02:00:00:00:05:02
ip -n a addr add 192.168.50.1/24 dev vu0
ip -n a link set vu0 up
ip -n a link set vu1 up
ip -n a link add vx0 address 02:00:00:00:05:10 type vxlan id 100 dstport 4789 dev vu0
ip -n a link add vx1 address 02:00:00:00:05:11 type vxlan external vnifilter dstport 4790
ip -n a link add vx2 address 02:00:00:00:05:12 type vxlan id 300 local 10.0.0.1 \
    remote 10.0.0.9 dstport 4791 ttl inherit tos inherit nolearning noudpcsum \
    ageing 0 maxaddr 10 df set srcport 1000 2000 l2miss l3miss proxy
ip -n a link add vx3 address 02:00:00:00:05:13 type vxlan id 400 group 239.1.1.1 \
    dev vu0 dstport 4789 ttl 5 tos 0x10 df inherit
ip -n a link add br0 address 02:00:00:00:05:b0 type bridge
ip -n a link set vx0 master br0
ip -n a link set vx0 up
ip -n a link set br0 up
ip -n a link set vx3 protodown on
ip -n a link set vx3 protodown_reason 3 on
bridge -n a fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.2
bridge -n a fdb append 00:00:00:00:00:00 dev vx0 dst 10.0.0.3
bridge -n a fdb add 02:00:00:00:0e:01 dev vx0 dst 10.0.0.4 port 4790 vni 200 self permanent
bridge -n a fdb add 02:00:00:00:0e:02 dev vx0 dst 10.0.0.5 via vu0 self permanent
bridge -n a fdb add 02:00:00:00:0e:03 dev vx1 dst 10.0.0.6 src_vni 500 vni 501 self permanent
bridge -n a fdb add 02:00:00:00:0e:04 dev vx0 master static
ip -n a link add mv0 link vu0 address 02:00:00:00:05:20 type macvlan mode bridge
ip -n a link add mv1 link vu1 address 02:00:00:00:05:21 type macvlan mode source
ip -n a link set mv1 type macvlan macaddr add 02:00:00:00:0f:01
ip -n a link set mv1 type macvlan macaddr add 02:00:00:00:0f:02
ip -n a link add mv2 link vu1 address 02:00:00:00:05:22 type macvlan mode private
ip -n a link set mv0 up
settle
capture vxlan a
cleanup
