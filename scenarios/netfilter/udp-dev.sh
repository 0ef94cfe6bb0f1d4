# UDP datagrams as bash sends them (> /dev/udp/HOST/PORT in bash -c, in a
# namespace): the source address the route picks, an ephemeral port, ICMP
# port unreachable back from a port nobody bound; bash's messages when
# connect() fails or the host/port is no number; $0 and positional
# parameters of bash -c.  The receiver counts datagrams by source.  (netsim
# sends one datagram per command; the ECONNREFUSED a later write of the same
# command would get after that ICMP error is not modelled.)
ip netns add a
ip netns add b
ip -n a link add eth0 type veth peer name eth0 netns b
ip -n a addr add 10.1.0.1/24 dev eth0
ip -n b addr add 10.1.0.2/24 dev eth0
ip -n a link set eth0 up
ip -n b link set eth0 up
ip -n a link set lo up
sleep 2  # the kernel's link watcher settles
ip netns exec b iptables -A INPUT -s 10.1.0.1 -p udp --dport 53
ip netns exec b iptables -A INPUT -p udp --dport 70
ip netns exec a iptables -A INPUT -p icmp --icmp-type port-unreachable
ip netns exec a iptables -t nat -A OUTPUT -j ACCEPT  # no NAT target: no conntrack, never run
ip netns exec a bash -c 'echo hi > /dev/udp/10.1.0.2/53; echo "sent $?"'
ip netns exec a bash -c 'echo again >> /dev/udp/10.1.0.2/53'
ip netns exec a bash -c 'echo wrap > /dev/udp/10.1.0.2/65606'
ip netns exec a bash -c 'echo loop > /dev/udp/127.0.0.1/9'
sleep 1
ip netns exec b iptables-save -c | grep -- '-A INPUT'
ip netns exec a iptables-save -c | grep -- '-A INPUT\|-A OUTPUT'
echo '# errors'
ip netns exec a bash -c 'echo x > /dev/udp/10.9.9.9/53' 2>&1; echo "rc=$?"
ip netns exec a bash -c 'echo x > /dev/udp/nosuchhost/53' 2>&1; echo "rc=$?"
ip netns exec a bash -c 'echo x > /dev/udp/10.1.0.2/abc' 2>&1; echo "rc=$?"
ip netns exec a bash -c 'echo x > /dev/udp/10.1.0.2' 2>&1; echo "rc=$?"
ip netns exec a bash -c 'echo x > /dev/udp/10.1.0.2/53' name 2>&1; echo "rc=$?"
ip netns exec a bash -c 'echo "$0 $1 $#"; exit 3' zero one; echo "rc=$?"
ip netns exec a bash -c 2>&1; echo "rc=$?"
X=1 ip netns exec a bash -c 'echo "X=$X"'
