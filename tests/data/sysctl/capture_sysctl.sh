#!/usr/bin/env bash
# Regenerate the sysctl fixtures in this directory from the real Linux kernel.
#
# Needs no privilege and changes nothing on the host: it re-executes itself in
# a fresh user + network + mount namespace (unshare -Urnm); every namespace it
# creates disappears when the script exits.  Outputs:
#
#   fresh_netns.sysctl   `sysctl -a` (net.* lines) of a fresh network namespace
#   veth_netns.sysctl    the same after `ip link add veth0 type veth peer name veth1`
#   deprecated.sysctl    keys that only `sysctl -a --deprecated` lists (fresh netns)
#   probe.json.gz        what the kernel does with ~50 values written to every key
#                        (see capture_sysctl.py)
#
#   usage: tests/data/sysctl/capture_sysctl.sh [OUT_DIR]   (PYTHON=python3 by default)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(realpath -m "${1:-$here}")
py=${PYTHON:-python3}

if [[ ${NETSIM_CAPTURE_SANDBOX:-} != 1 ]]; then
    exec env NETSIM_CAPTURE_SANDBOX=1 LC_ALL=C unshare -Urnm bash "${BASH_SOURCE[0]}" "$out"
fi

mkdir -p /run/netns "$out"
mount -t tmpfs none /run/netns

header() {
    echo "# $1"
    echo "# kernel $(uname -r), $(sysctl --version), captured $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# by tests/data/sysctl/capture_sysctl.sh inside 'unshare -Urnm' (unprivileged user namespace)"
    echo "# NOTE ping_group_range reads 65534 (overflowgid) for gids unmapped in that user namespace"
}

ip netns add fresh
{
    header "sysctl -a | grep '^net\\.' in a fresh network namespace (only lo, down)"
    ip netns exec fresh sysctl -a 2>/dev/null | grep '^net\.'
} >"$out/fresh_netns.sysctl"
{
    header "keys only 'sysctl -a --deprecated' lists, same fresh namespace"
    { diff <(ip netns exec fresh sysctl -a 2>/dev/null | grep '^net\.') \
        <(ip netns exec fresh sysctl -a --deprecated 2>/dev/null | grep '^net\.') || true; } |
        sed -n 's/^> //p'
} >"$out/deprecated.sysctl"

ip netns add veth
ip -n veth link add veth0 type veth peer name veth1
{
    header "sysctl -a | grep '^net\\.' after 'ip link add veth0 type veth peer name veth1' (both down)"
    ip netns exec veth sysctl -a 2>/dev/null | grep '^net\.'
} >"$out/veth_netns.sysctl"

"$py" "$here/capture_sysctl.py" "$out/probe.json.gz"
echo "wrote $out"
