# filter FORWARD with a DROP policy: only what is allowed crosses the router,
# and conntrack's ESTABLISHED lets the replies back; the router itself is
# unaffected (INPUT); a packet dropped in OUTPUT is lost without an error for ping.
ip netns add a
ip netns add r
ip netns add b
ip -n r link add ra type veth peer name eth0 netns a
ip -n r link add rb type veth peer name eth0 netns b
ip -n r addr add 10.1.0.254/24 dev ra
ip -n r addr add 10.2.0.254/24 dev rb
ip -n a addr add 10.1.0.1/24 dev eth0
ip -n b addr add 10.2.0.1/24 dev eth0
for n in a b; do ip -n $n link set eth0 up; done
ip -n r link set ra up
ip -n r link set rb up
ip -n a route add default via 10.1.0.254
ip -n b route add default via 10.2.0.254
ip netns exec r sysctl -qw net.ipv4.ip_forward=1
ip netns exec r iptables -P FORWARD DROP
echo '# policy DROP'
ip netns exec a ping -c 1 -W 1 10.2.0.1 | tail -2
ip netns exec r iptables -A FORWARD -i ra -o rb -j ACCEPT
echo '# a -> b allowed, but the replies are not'
ip netns exec a ping -c 1 -W 1 10.2.0.1 | tail -2
ip netns exec r iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
echo '# with ESTABLISHED'
ip netns exec a ping -c 2 10.2.0.1 | head -3
echo '# b -> a is not NEW-allowed'
ip netns exec b ping -c 1 -W 1 10.1.0.1 | tail -2
echo '# the router itself (INPUT policy ACCEPT)'
ip netns exec b ping -c 1 10.2.0.254 | head -2
ip netns exec r iptables -A INPUT -p icmp --icmp-type echo-request -s 10.2.0.1 -j DROP
ip netns exec b ping -c 1 -W 1 10.2.0.254 | tail -2
ip netns exec r iptables -A OUTPUT -d 10.1.0.1 -j DROP
ip netns exec r ping -c 1 10.1.0.1 2>&1
echo "rc=$?"
ip netns exec r iptables -S
ip netns exec r iptables-save -c -t filter
