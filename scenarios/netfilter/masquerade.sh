# MASQUERADE on a router: two clients in 10.0.1.0/24 reach a server in
# 10.0.2.0/24 that has no route back to them; the router rewrites their
# source to its own address and the replies find their way back.  A flow
# already tracked before the rule stays un-NATed; a new one is NATed.
ip netns add c1
ip netns add c2
ip netns add r
ip netns add s
ip -n r link add br0 type bridge
ip -n r link set br0 up
ip -n r addr add 10.0.1.254/24 dev br0
for c in c1 c2; do
  ip -n r link add $c type veth peer name eth0 netns $c
  ip -n r link set $c master br0 up
  ip -n $c link set eth0 up
done
ip -n c1 addr add 10.0.1.1/24 dev eth0
ip -n c2 addr add 10.0.1.2/24 dev eth0
ip -n c1 route add default via 10.0.1.254
ip -n c2 route add default via 10.0.1.254
ip -n r link add up0 type veth peer name eth0 netns s
ip -n r addr add 10.0.2.254/24 dev up0
ip -n r link set up0 up
ip -n s addr add 10.0.2.1/24 dev eth0
ip -n s link set eth0 up
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
echo '# no NAT: the server cannot answer'
ip netns exec c1 ping -c 1 -W 1 10.0.2.1 | tail -2
ip netns exec r iptables -t nat -A POSTROUTING -s 10.0.1.0/24 ! -d 10.0.1.0/24 -j MASQUERADE
ip netns exec r iptables -t nat -S POSTROUTING
echo '# masqueraded'
ip netns exec c1 ping -c 2 10.0.2.1 | head -3
ip netns exec c2 ping -c 1 10.0.2.1 | head -2
echo '# the router and the LAN are not NATed'
ip netns exec c1 ping -c 1 10.0.1.2 | head -2
ip netns exec c1 ping -c 1 10.0.2.254 | head -2
ip netns exec r iptables-save -c -t nat
