# flanneld's iptables chains (flannel.md §4) for Network 10.244.0.0/16 and
# this node's lease 10.244.1.0/24, built as flanneld does (chain, then rules
# in order), listed and exercised: pod traffic leaving the cluster network
# is masqueraded, pod-to-pod traffic is not.
ip netns add node
ip netns add pod
ip netns add ext
ip -n node link add cni0 type bridge
ip -n node addr add 10.244.1.1/24 dev cni0
ip -n node link set cni0 up
ip -n node link add veth0 type veth peer name eth0 netns pod
ip -n node link set veth0 master cni0 up
ip -n pod addr add 10.244.1.2/24 dev eth0
ip -n pod link set eth0 up
ip -n pod route add default via 10.244.1.1
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.5.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.5.2/24 dev eth0
ip -n ext link set eth0 up
ip netns exec node sysctl -qw net.ipv4.ip_forward=1
ipt() { ip netns exec node iptables "$@" --wait; }
ipt -t nat -N FLANNEL-POSTRTG
ipt -t nat -A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
ipt -t nat -A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN
ipt -t nat -A FLANNEL-POSTRTG -s 10.244.1.0/24 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j RETURN
ipt -t nat -A FLANNEL-POSTRTG -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
ipt -t nat -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN
ipt -t nat -A FLANNEL-POSTRTG -s 10.244.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
ipt -t nat -A FLANNEL-POSTRTG ! -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
ipt -N FLANNEL-FWD
ipt -A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
ipt -A FLANNEL-FWD -s 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
ipt -A FLANNEL-FWD -d 10.244.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
ip netns exec node iptables -t nat -S
ip netns exec node iptables -S
ip netns exec pod ping -c 2 192.168.5.2 | head -3
ip netns exec pod ping -c 1 10.244.1.1 | head -2
# (POSTROUTING's jump also counts the kernel's own IGMP report: multicast is
# not modelled, so that counter is left out)
ip netns exec node iptables-save -c | grep -v -- '-A POSTROUTING'
