# The CNI portmap plugin's chains (cni.md T5), with ICMP standing in for a
# TCP/UDP hostPort (ping is the traffic tool here): pings to the node's
# address are DNATed to pod1 from outside, from another pod (masqueraded by
# mark 0x2000), from pod1 itself (hairpin: bridge hairpin + masquerade),
# from the node, and from the node to 127.0.0.1 (route_localnet).
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link add cni0 type bridge
ip -n node addr add 10.22.0.1/24 dev cni0
ip -n node link set cni0 up
ip -n node link set lo up
i=1
for p in pod1 pod2; do
  ip -n node link add veth$i type veth peer name eth0 netns $p
  ip -n node link set veth$i master cni0 up
  bridge -n node link set dev veth$i hairpin on
  ip -n $p addr add 10.22.0.$((i + 1))/24 dev eth0
  ip -n $p link set eth0 up
  ip -n $p route add default via 10.22.0.1
  i=$((i + 1))
done
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.0.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.0.2/24 dev eth0
ip -n ext link set eth0 up
ip netns exec node sysctl -qw net.ipv4.ip_forward=1
nat() { ip netns exec node iptables -t nat "$@" --wait; }
DN=CNI-DN-e26e96f88412854951bb8
for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ $DN; do nat -N $c; done
nat -A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
nat -A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
nat -I POSTROUTING 1 -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
nat -A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
nat -A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
nat -A CNI-HOSTPORT-DNAT -p icmp -m comment --comment 'dnat name: "chainnet" id: "c1"' -j $DN
for d in 192.168.0.1 127.0.0.1; do
  nat -A $DN -s 10.22.0.0/24 -d $d -p icmp -j CNI-HOSTPORT-SETMARK
  nat -A $DN -s 127.0.0.1/32 -d $d -p icmp -j CNI-HOSTPORT-SETMARK
  nat -A $DN -d $d -p icmp -j DNAT --to-destination 10.22.0.2
done
ip netns exec node iptables -t nat -S
echo '# from outside'
ip netns exec ext ping -c 1 192.168.0.1 | head -2
echo '# from another pod (masqueraded by mark)'
ip netns exec pod2 ping -c 1 192.168.0.1 | head -2
echo '# hairpin: pod1 reaches itself'
ip netns exec pod1 ping -c 1 192.168.0.1 | head -2
echo '# from the node'
ip netns exec node ping -c 1 192.168.0.1 | head -2
echo '# from the node to 127.0.0.1 without route_localnet, then with'
ip netns exec node ping -c 1 -W 1 127.0.0.1 2>&1 | head -2
ip netns exec node sysctl -w net.ipv4.conf.cni0.route_localnet=1
ip netns exec node ping -c 1 127.0.0.1 | head -2
# (POSTROUTING's jump also counts the kernel's own IGMP report, 40 bytes:
# multicast is not modelled, so that counter is left out)
ip netns exec node iptables-save -c -t nat | grep -v -- '-A POSTROUTING'
