#!/usr/bin/env bash
# Regenerate the layer-3 iproute2 golden fixtures used by
# tests/unit/test_render_l3.py.
#
# Needs no privilege and touches nothing on the host: it re-executes itself in
# a fresh user + network + mount namespace (unshare -Urnm), builds a few
# address/route/rule/neighbour states in throw-away network namespaces, and
# for every state records what iproute2 prints, both as JSON (-j) and as text,
# into OUTDIR/<state>.<netns>/<name>.{json,txt} (plus netns.json, the output of
# `ip -j netns list-id`, which `ip` uses to print `link-netns NAME`).
#
# Every netns gets the base set:
#
#   ip_addr         ip addr show                ip_route        ip route show
#   ip_d_addr       ip -d addr show             ip_route_all    ip route show table all
#   ip_br_addr      ip -br addr show            ip4_route_all   ip -4 route show table all
#   ip_neigh        ip neigh show               ip_d_route_all  ip -d route show table all
#   ip_s_neigh      ip -s neigh show            ip_rule         ip rule show
#   ip_br_neigh     ip -br neigh show           ip_d_rule       ip -d rule show
#
# and some states add more (ip_route_get_<what> for `ip route get ...`,
# ip6_* for `ip -6 ...`, ip4_addr for `ip -4 addr show`, ...).
# Time-dependent fields (lifetimes, `expires`, neighbour `used` counters) are
# made consistent by re-reading until the JSON taken before and after the
# text is identical.
#
#   usage: tests/data/iproute_golden_l3/make_golden.sh [OUTDIR]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(realpath -m "${1:-$here}")

if [[ ${NETSIM_GOLDEN_SANDBOX:-} != 1 ]]; then
    exec env NETSIM_GOLDEN_SANDBOX=1 unshare -Urnm bash "${BASH_SOURCE[0]}" "$out"
fi

mkdir -p /run/netns
mount -t tmpfs none /run/netns

cleanup() {
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

# udp NS ADDR...: one datagram to port 9 of every ADDR (fills neighbour tables)
udp() {
    local ns=$1
    shift
    ip netns exec "$ns" python3 - "$@" <<'EOF'
import socket, sys
for addr in sys.argv[1:]:
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.sendto(b"x", (addr, 9))
EOF
}

# pair DIR NAME NS "OPTS" "SUBCMD": text and JSON of one `ip` command.
pair() {
    local dir=$1 name=$2 ns=$3 opts=$4 sub=$5 i
    for i in $(seq 200); do
        # shellcheck disable=SC2086
        {
            ip -n "$ns" -j $opts $sub >"$dir/$name.json"
            ip -n "$ns" $opts $sub >"$dir/$name.txt"
            ip -n "$ns" -j $opts $sub >"$dir/$name.json2"
        }
        if cmp -s "$dir/$name.json" "$dir/$name.json2"; then
            rm "$dir/$name.json2"
            return 0
        fi
    done
    echo "could not get a consistent snapshot for $dir/$name" >&2
    exit 1
}

# capture STATE NS [NAME "OPTS" "SUBCMD"]...: the base set plus extras.
capture() {
    local dir=$out/$1.$2 ns=$2
    shift 2
    rm -rf "$dir"
    mkdir -p "$dir"
    ip -n "$ns" -j netns list-id >"$dir/netns.json"
    # neighbours first: INCOMPLETE entries do not last long
    pair "$dir" ip_neigh "$ns" "" "neigh show"
    pair "$dir" ip_s_neigh "$ns" "-s" "neigh show"
    pair "$dir" ip_br_neigh "$ns" "-br" "neigh show"
    while (($# >= 3)); do
        pair "$dir" "$1" "$ns" "$2" "$3"
        shift 3
    done
    pair "$dir" ip_addr "$ns" "" "addr show"
    pair "$dir" ip_d_addr "$ns" "-d" "addr show"
    pair "$dir" ip_br_addr "$ns" "-br" "addr show"
    pair "$dir" ip_route "$ns" "" "route show"
    pair "$dir" ip_route_all "$ns" "" "route show table all"
    pair "$dir" ip4_route_all "$ns" "-4" "route show table all"
    pair "$dir" ip_d_route_all "$ns" "-d" "route show table all"
    pair "$dir" ip_rule "$ns" "" "rule show"
    pair "$dir" ip_d_rule "$ns" "-d" "rule show"
    echo "wrote $dir"
}

settle() { sleep "${1:-1.5}"; }

# --- empty: a brand-new netns, nothing touched ------------------------------
newns a
capture empty a
cleanup

# --- router: kx-a -- kx-r -- kx-c, IPv4 only --------------------------------
newns a
newns r
newns c
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
for ns in a r c; do ip -n $ns link set lo up; done
ip -n a link add eth0 address 02:00:00:00:01:01 type veth \
    peer name ra address 02:00:00:00:01:02 netns r
ip -n c link add eth0 address 02:00:00:00:03:01 type veth \
    peer name rc address 02:00:00:00:03:02 netns r
# eth1's peer stays down: NO-CARRIER, its routes are `linkdown`
ip -n a link add eth1 address 02:00:00:00:01:11 type veth \
    peer name eth1p address 02:00:00:00:01:12
# cx is set down again after its address is added
ip -n c link add cx address 02:00:00:00:03:11 type veth \
    peer name cxp address 02:00:00:00:03:12

ip -n a addr add 10.1.0.1/24 brd + dev eth0
ip -n a addr add 10.1.0.5/24 brd + dev eth0
ip -n a addr add 10.1.0.9/24 brd + label eth0:1 dev eth0
ip -n a addr add 10.8.0.1/24 dev eth0 noprefixroute metric 7
ip -n a addr add 10.7.0.1 peer 10.7.0.2/32 dev eth0
ip -n a addr add 10.6.0.1/24 dev eth0 valid_lft 1000 preferred_lft 500
ip -n a addr add 10.6.1.1/24 dev eth0 valid_lft 2000 preferred_lft 0
ip -n a addr add 10.20.0.1/24 brd + dev eth1
ip -n r addr add 10.1.0.2/24 brd + dev ra
ip -n r addr add 10.3.0.1/24 brd + dev rc
ip -n c addr add 10.3.0.2/24 brd + dev eth0
ip -n c addr add 10.30.0.1/24 dev cx
ip -n a link set eth0 up
ip -n a link set eth1 up
ip -n r link set ra up
ip -n r link set rc up
ip -n c link set eth0 up
ip -n c link set cx up
ip -n c link set cx down

ip -n a route add default via 10.1.0.2
ip -n a route add 10.3.0.0/24 via 10.1.0.2 proto static
ip -n a route add 10.2.0.0/16 via 10.1.0.2 metric 100
ip -n a route add 10.2.0.0/16 via 10.1.0.3 metric 200
ip -n a route add blackhole 10.4.1.0/24
ip -n a route add unreachable 10.4.2.0/24
ip -n a route add prohibit 10.4.3.0/24
ip -n a route add throw 10.4.4.0/24
ip -n a route add 10.4.5.0/24 via 10.1.0.2 mtu 1400 window 65535 rtt 100ms \
    rttvar 2s ssthresh 5 cwnd 7 advmss 1360 reordering 3 hoplimit 16 \
    initcwnd 10 initrwnd 20 quickack 1 congctl reno fastopen_no_cookie 1 \
    features ecn
ip -n a route add 10.4.6.0/24 via 192.168.99.1 dev eth0 onlink
ip -n a route add 10.4.7.0/24 nexthop via 10.1.0.2 weight 1 \
    nexthop via 10.1.0.3 weight 3
ip -n a route add 10.4.8.0/24 via 10.1.0.2 src 10.1.0.5
ip -n a route add 10.4.9.0/24 tos 0x10 via 10.1.0.2 realm 5
ip -n a route add 10.4.10.0/24 via 10.1.0.2 realms 3/4 proto 99
ip -n a route add local 10.4.11.0/24 dev lo
ip -n a route add 10.4.12.0/24 dev eth0 scope link proto static metric 50
ip -n a route add 10.4.13.0/24 via 10.1.0.2 rtt 3s
ip -n a route add 10.4.14.0/24 via 10.20.0.2
ip -n a route add 10.4.15.1 via 10.1.0.2
ip -n a route add 10.4.16.0/24 nexthop via 10.1.0.2 dev eth0 \
    nexthop via 10.20.0.2 dev eth1 weight 2
ip -n a route add default via 10.1.0.2 table 100
ip -n a route add 10.9.0.0/16 dev eth0 table 100 proto static metric 5
ip -n a route add blackhole 10.99.0.0/16 table 200
ip -n c route add default via 10.3.0.1

ip -n a neigh add 10.1.0.3 lladdr 02:00:00:00:01:03 dev eth0 nud permanent
ip -n a neigh add 10.1.0.4 lladdr 02:00:00:00:01:04 dev eth0 nud stale router
ip -n a neigh add 10.1.0.6 lladdr 02:00:00:00:01:06 dev eth0 nud noarp
ip -n a neigh add 10.1.0.7 lladdr 02:00:00:00:01:07 dev eth0 nud reachable \
    extern_learn protocol static
ip -n a neigh add 10.1.0.8 dev eth0 nud failed
ip -n a neigh add 10.1.0.10 dev eth0 managed
ip -n a neigh add proxy 10.1.0.50 dev eth0
settle
# a resolves r, r resolves c, c resolves r for the ICMP port unreachable
udp a 10.3.0.2 10.1.0.77
settle 5
# 10.1.0.77 is FAILED by now, 10.1.0.78 stays INCOMPLETE for ~3 s
udp a 10.1.0.78
capture router a \
    ip_neigh_all "" "neigh show nud all" \
    ip_neigh_proxy "" "neigh show proxy" \
    ip_neigh_dev "" "neigh show dev eth0" \
    ip_route_t100 "" "route show table 100" \
    ip4_addr "-4" "addr show" \
    ip_route_get_direct "" "route get 10.1.0.2" \
    ip_route_get_gateway "" "route get 10.3.0.2" \
    ip_route_get_local "" "route get 10.1.0.1" \
    ip_route_get_brd "" "route get 10.1.0.255" \
    ip_route_get_from "" "route get 10.3.0.2 from 10.1.0.5" \
    ip_route_get_mark "" "route get 10.4.6.1 mark 5" \
    ip_route_get_hexmark "" "route get 10.4.6.1 mark 0x20" \
    ip_route_get_realm "" "route get 10.4.9.1 tos 0x10" \
    ip_route_get_metrics "" "route get 10.4.5.1" \
    ip_route_get_fibmatch "" "route get fibmatch 10.3.0.2" \
    ip_s_route_get_gateway "-s" "route get 10.3.0.2" \
    ip_d_route_get_local "-d" "route get 10.1.0.1"
capture router r \
    ip_route_get_iif "" "route get 10.3.0.2 from 10.1.0.1 iif ra"
capture router c
cleanup

# --- rules: every selector and action `ip rule` prints -----------------------
newns a
ip -n a link set lo up
ip -n a link add eth0 address 02:00:00:00:04:01 type veth \
    peer name eth0p address 02:00:00:00:04:02
ip -n a rule add from 10.0.0.0/8 lookup 100 pref 100
ip -n a rule add not to 10.2.0.0/16 table 100 pref 101
ip -n a rule add iif eth0 oif lo fwmark 0x1/0xff lookup main pref 102
ip -n a rule add fwmark 0x2 tos 0x10 blackhole pref 103
ip -n a rule add from 10.3.0.0/24 unreachable pref 104
ip -n a rule add prohibit pref 105
ip -n a rule add goto 32766 pref 106
ip -n a rule add goto 40000 pref 107
ip -n a rule add nop pref 108
ip -n a rule add lookup main suppress_prefixlength 0 pref 109
ip -n a rule add lookup 100 suppress_ifgroup 5 pref 110
ip -n a rule add uidrange 0-0 lookup 100 pref 111
ip -n a rule add ipproto tcp sport 80 dport 1000-2000 lookup 100 pref 112
ip -n a rule add iif nosuch oif nosuch2 lookup 100 pref 113 realms 3/4 protocol static
ip -n a rule add from 10.3.0.1 to 10.4.0.1 realms 5 lookup 100
ip -n a rule add tun_id 7 lookup 100 pref 114
ip -n a rule add ipproto udp sport 1-2 dport 53 fwmark 0x30 lookup 200 pref 115
capture rules a
cleanup

# --- ipv6: a -- r with IPv6 on ----------------------------------------------
newns a ipv6
newns r ipv6
ip netns exec r sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n a link set lo up
ip -n r link set lo up
ip -n a link add eth0 address 02:00:00:00:06:01 type veth \
    peer name ra address 02:00:00:00:06:02 netns r
# eth1 stays down: its address stays tentative
ip -n a link add eth1 address 02:00:00:00:06:11 type veth \
    peer name eth1p address 02:00:00:00:06:12
ip -n a addr add 10.1.0.1/24 brd + dev eth0
ip -n a addr add 2001:db8:1::1/64 dev eth0
ip -n a addr add 2001:db8:2::1/64 dev eth0 nodad
ip -n a addr add 2001:db8:3::1/64 dev eth0 noprefixroute valid_lft 1000 preferred_lft 0
ip -n a addr add 2001:db8:5::1/64 dev eth0 mngtmpaddr home
ip -n a addr add 2001:db8:d::1/64 dev eth0
ip -n a addr add 2001:db8:6::1/64 dev eth1
ip -n r addr add 10.1.0.2/24 brd + dev ra
ip -n r addr add 2001:db8:1::2/64 dev ra
# the same address, without DAD, on the peer: a's copy fails DAD
ip -n r addr add 2001:db8:d::1/64 dev ra nodad
ip -n a link set eth0 up
ip -n r link set ra up
settle 3
ip -n a route add default via 10.1.0.2
ip -n a -6 route add default via 2001:db8:1::2
ip -n a -6 route add 2001:db8:9::/48 via 2001:db8:1::2 metric 5 pref high
ip -n a -6 route add 2001:db8:a::/48 via 2001:db8:1::2 pref low
ip -n a -6 route add blackhole 2001:db8:8::/48
ip -n a -6 route add unreachable 2001:db8:e::/48
ip -n a -6 route add prohibit 2001:db8:f::/48
ip -n a -6 route add 2001:db8:7::/48 nexthop via 2001:db8:1::3 \
    nexthop via 2001:db8:1::4 weight 2
ip -n a -6 route add 2001:db8:c::/48 via 2001:db8:1::2 expires 600 mtu 1300
ip -n a -6 route add 2001:db8:b::/48 dev eth0 table 100 metric 7
ip -n a -6 rule add from 2001:db8::/32 lookup 100 pref 100
ip -n a -6 rule add to 2001:db8:1::1 lookup main pref 101
udp a 2001:db8:1::2 10.1.0.2
settle
capture ipv6 a \
    ip4_addr "-4" "addr show" \
    ip6_addr "-6" "addr show" \
    ip6_route "-6" "route show" \
    ip6_route_all "-6" "route show table all" \
    ip6_rule "-6" "rule show" \
    ip6_neigh "-6" "neigh show" \
    ip_route_get_v6 "" "route get 2001:db8:9::1" \
    ip_route_get_v6_local "" "route get ::1" \
    ip_route_get_v6_ll "" "route get fe80::ff:fe00:602 oif eth0"
capture ipv6 r
cleanup
