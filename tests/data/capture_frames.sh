#!/usr/bin/env bash
# Regenerate tests/data/kernel_frames.json from the real Linux kernel.
#
# Needs no privilege and touches nothing on the host: it re-executes itself in
# a fresh user + network + mount namespace (unshare -Urnm), builds two network
# namespaces a and b joined by a veth pair, two VXLAN tunnels on top of it,
# and lets the kernel talk while an AF_PACKET socket in b records the frames.
# Everything disappears when the script exits.
#
#   usage: tests/data/capture_frames.sh [OUT_JSON]   (PYTHON=python3 by default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(realpath -m "${1:-$here/kernel_frames.json}")
py=${PYTHON:-python3}
helper=$here/capture_frames.py

if [[ ${NETSIM_CAPTURE_SANDBOX:-} != 1 ]]; then
    exec env NETSIM_CAPTURE_SANDBOX=1 unshare -Urnm bash "${BASH_SOURCE[0]}" "$out"
fi

tmp=$(mktemp -d)
mkdir -p /run/netns
mount -t tmpfs none /run/netns

ip netns add a
ip netns add b
for ns in a b; do
    # No IPv6 so that no ND/MLD/RS traffic mixes into the capture.
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n $ns link set lo up
done

ip -n a link add eth0 address 02:00:00:00:00:01 type veth \
    peer name eth0 address 02:00:00:00:00:02 netns b
ip -n a link add vx0 address 02:00:00:00:01:01 type vxlan id 100 dstport 4789 \
    remote 10.0.0.2 local 10.0.0.1 dev eth0
ip -n b link add vx0 address 02:00:00:00:01:02 type vxlan id 100 dstport 4789 \
    remote 10.0.0.1 local 10.0.0.2 dev eth0
ip -n a link add vx1 address 02:00:00:00:02:01 type vxlan id 200 dstport 4789 \
    remote 10.0.0.2 local 10.0.0.1 dev eth0 noudpcsum
ip -n b link add vx1 address 02:00:00:00:02:02 type vxlan id 200 dstport 4789 \
    remote 10.0.0.1 local 10.0.0.2 dev eth0 noudpcsum

n=1
for ns in a b; do
    ip -n $ns addr add 10.0.0.$n/24 dev eth0
    ip -n $ns addr add 192.168.100.$n/24 dev vx0
    ip -n $ns addr add 192.168.200.$n/24 dev vx1
    for dev in eth0 vx0 vx1; do
        ip netns exec $ns "$py" "$helper" txcsum $dev off
        ip -n $ns link set $dev up
    done
    # ping sockets for gid 0, the only gid mapped in this user namespace.
    ip netns exec $ns sysctl -qw net.ipv4.ping_group_range="0 0"
    n=$((n + 1))
done

ip netns exec b "$py" "$helper" capture eth0 "$tmp/raw.json" "$tmp/ready" "$tmp/stop" &
capture_pid=$!
for _ in $(seq 100); do [[ -e $tmp/ready ]] && break; sleep 0.05; done
[[ -e $tmp/ready ]] || { echo "capture did not start" >&2; exit 1; }

ip netns exec a "$py" "$helper" send
touch "$tmp/stop"
wait $capture_pid

"$py" "$helper" assemble "$tmp/raw.json" "$out" "$(uname -r)"
rm -rf "$tmp"
echo "wrote $out"
