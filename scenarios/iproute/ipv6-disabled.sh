# No IPv6 in the model: ip -6 shows what a namespace with disable_ipv6=1 shows
# (nothing but the two IPv6 rules), and requests such a kernel refuses get its
# answer; what it would keep (an IPv6 unreachable route, an IPv6 rule) is
# refused with "netsim: IPv6 is not modelled" (see docs/reference/shell.md).
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip link set v1 up
echo '$ ip -6 addr'; ip -6 addr 2>&1; echo "rc $?"
echo '$ ip -6 addr show dev v0'; ip -6 addr show dev v0 2>&1; echo "rc $?"
echo '$ ip -6 -j addr'; ip -6 -j addr 2>&1; echo "rc $?"
echo '$ ip -6 -br addr'; ip -6 -br addr 2>&1; echo "rc $?"
echo '$ ip -6 route'; ip -6 route 2>&1; echo "rc $?"
echo '$ ip -6 -j route'; ip -6 -j route 2>&1; echo "rc $?"
echo '$ ip -6 route show table all'; ip -6 route show table all 2>&1; echo "rc $?"
echo '$ ip -6 rule'; ip -6 rule 2>&1; echo "rc $?"
echo '$ ip -6 -j rule'; ip -6 -j rule 2>&1; echo "rc $?"
echo '$ ip -6 neigh'; ip -6 neigh 2>&1; echo "rc $?"
echo '$ ip -f inet6 addr'; ip -f inet6 addr 2>&1; echo "rc $?"
echo '$ ip -family inet6 route'; ip -family inet6 route 2>&1; echo "rc $?"
echo '$ ip -6 addr add 2001:db8::1/64 dev v0'; ip -6 addr add 2001:db8::1/64 dev v0 2>&1; echo "rc $?"
echo '$ ip addr add 2001:db8::1/64 dev v0'; ip addr add 2001:db8::1/64 dev v0 2>&1; echo "rc $?"
echo '$ ip addr del 2001:db8::1/64 dev v0'; ip addr del 2001:db8::1/64 dev v0 2>&1; echo "rc $?"
echo '$ ip -6 route add 2001:db8:1::/64 via 2001:db8::2'; ip -6 route add 2001:db8:1::/64 via 2001:db8::2 2>&1; echo "rc $?"
echo '$ ip route add 2001:db8:1::/64 via 2001:db8::2'; ip route add 2001:db8:1::/64 via 2001:db8::2 2>&1; echo "rc $?"
echo '$ ip -6 route add 2001:db8:1::/64 dev v0'; ip -6 route add 2001:db8:1::/64 dev v0 2>&1; echo "rc $?"
echo '$ ip -6 route get 2001:db8::5'; ip -6 route get 2001:db8::5 2>&1; echo "rc $?"
echo '$ ip route get 2001:db8::5'; ip route get 2001:db8::5 2>&1; echo "rc $?"
echo '$ ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0'; ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0 2>&1; echo "rc $?"
echo '$ ip neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0'; ip neigh add 2001:db8::5 lladdr 02:00:00:00:00:05 dev v0 2>&1; echo "rc $?"
echo '$ ip -6 route add 10.5.0.0/16 dev v0'; ip -6 route add 10.5.0.0/16 dev v0 2>&1; echo "rc $?"
echo '$ ip -4 route add 2001:db8:1::/64 dev v0'; ip -4 route add 2001:db8:1::/64 dev v0 2>&1; echo "rc $?"
echo '$ ip -6 addr add 10.0.0.9/24 dev v0'; ip -6 addr add 10.0.0.9/24 dev v0 2>&1; echo "rc $?"
echo '$ ip -4 addr add 2001:db8::1/64 dev v0'; ip -4 addr add 2001:db8::1/64 dev v0 2>&1; echo "rc $?"
echo '$ ip -6 addr flush dev v0'; ip -6 addr flush dev v0 2>&1; echo "rc $?"
echo '$ ip -6 route flush dev v0'; ip -6 route flush dev v0 2>&1; echo "rc $?"
echo '$ ip -6 neigh flush dev v0'; ip -6 neigh flush dev v0 2>&1; echo "rc $?"
echo '$ ip -0 addr'; ip -0 addr 2>&1; echo "rc $?"
echo '$ ip -f link addr show v0'; ip -f link addr show v0 2>&1; echo "rc $?"
echo '$ ip -f bogus addr'; ip -f bogus addr 2>&1; echo "rc $?"
echo '$ ip -4 -6 addr'; ip -4 -6 addr 2>&1; echo "rc $?"
echo '$ ip -6 -4 addr'; ip -6 -4 addr 2>&1; echo "rc $?"
echo '$ ip -4 addr show v0'; ip -4 addr show v0 2>&1; echo "rc $?"
echo '$ ip -4 -j addr show v0'; ip -4 -j addr show v0 2>&1; echo "rc $?"
