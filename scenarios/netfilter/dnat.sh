# DNAT: a router forwards pings for its own outside address to a host
# behind it (-p icmp -j DNAT); the replies are translated back, so the
# client sees them come from the address it pinged.  OUTPUT DNAT does the
# same for the router's own pings.
ip netns add cl
ip netns add r
ip netns add h
ip -n r link add out0 type veth peer name eth0 netns cl
ip -n r link add in0 type veth peer name eth0 netns h
ip -n r addr add 192.168.7.1/24 dev out0
ip -n r addr add 10.9.0.1/24 dev in0
ip -n cl addr add 192.168.7.2/24 dev eth0
ip -n h addr add 10.9.0.2/24 dev eth0
for n in cl h; do ip -n $n link set eth0 up; ip -n $n link set lo up; done
ip -n r link set out0 up
ip -n r link set in0 up
ip -n r link set lo up
ip -n h route add default via 10.9.0.1
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip netns exec r iptables -t nat -A PREROUTING -d 192.168.7.1 -p icmp -j DNAT --to-destination 10.9.0.2
ip netns exec r iptables -t nat -A OUTPUT -d 192.168.7.77 -p icmp -j DNAT --to-destination 10.9.0.2
ip netns exec r iptables -t nat -S
echo '# the client pings the router; the host behind it answers'
ip netns exec cl ping -c 2 192.168.7.1 | head -3
echo '# OUTPUT DNAT of the router'"'"'s own ping'
ip netns exec r ping -c 1 192.168.7.77 | head -2
echo '# a TTL too small for the host: the error is translated too'
ip netns exec cl ping -c 1 -t 1 192.168.7.1 | head -2
ip netns exec r iptables-save -c
