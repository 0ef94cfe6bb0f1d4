# A ping over a multipath route takes exactly one of the hops (which one
# depends on the hash seed) and gets its answer; so does a flow forwarded by
# a router with a multipath route.
ip netns add h
ip netns add d
ip -n h link add a0 address 02:00:00:00:01:01 type veth peer name a1 netns d address 02:00:00:00:01:02
ip -n h link add b0 address 02:00:00:00:02:01 type veth peer name b1 netns d address 02:00:00:00:02:02
ip -n h addr add 10.0.0.1/24 dev a0
ip -n h addr add 10.1.0.1/24 dev b0
ip -n d addr add 10.0.0.2/24 dev a1
ip -n d addr add 10.1.0.2/24 dev b1
ip -n d addr add 10.9.0.1/32 dev lo
for d in lo a0 b0; do ip -n h link set $d up; done
for d in lo a1 b1; do ip -n d link set $d up; done
echo '$ ip -n h route add 10.9.0.0/24 nexthop via 10.0.0.2 nexthop via 10.1.0.2'; ip -n h route add 10.9.0.0/24 nexthop via 10.0.0.2 nexthop via 10.1.0.2 2>&1; echo "rc $?"
sleep 1
echo '$ ip netns exec h ping -c1 -W2 10.9.0.1 | grep -c "1 received"'; ip netns exec h ping -c1 -W2 10.9.0.1 | grep -c "1 received" 2>&1; echo "rc $?"
echo '$ ip -n h neigh show | grep -c "lladdr 02:00:00:00:0[12]:02 REACHABLE"'; ip -n h neigh show | grep -c "lladdr 02:00:00:00:0[12]:02 REACHABLE" 2>&1; echo "rc $?"
echo '$ ip -n h neigh show | grep -c "10.0.0.2 dev a0 lladdr 02:00:00:00:01:02\|10.1.0.2 dev b0 lladdr 02:00:00:00:02:02"'; ip -n h neigh show | grep -c "10.0.0.2 dev a0 lladdr 02:00:00:00:01:02\|10.1.0.2 dev b0 lladdr 02:00:00:00:02:02" 2>&1; echo "rc $?"
echo "-- forwarded"
ip netns add c
ip -n c link add c0 address 02:00:00:00:05:01 type veth peer name c1 netns h address 02:00:00:00:05:02
ip -n c addr add 10.5.0.1/24 dev c0
ip -n h addr add 10.5.0.2/24 dev c1
ip -n c link set c0 up
ip -n h link set c1 up
ip -n c route add default via 10.5.0.2
ip netns exec h sysctl -qw net.ipv4.ip_forward=1
ip -n d route add 10.5.0.0/24 nexthop via 10.0.0.1 nexthop via 10.1.0.1
sleep 1
echo '$ ip netns exec c ping -c1 -W2 10.9.0.1 | grep -c "1 received"'; ip netns exec c ping -c1 -W2 10.9.0.1 | grep -c "1 received" 2>&1; echo "rc $?"
echo '$ ip netns exec c ping -c1 -W2 10.9.0.1 | grep -c "1 received"'; ip netns exec c ping -c1 -W2 10.9.0.1 | grep -c "1 received" 2>&1; echo "rc $?"
