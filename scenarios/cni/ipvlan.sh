# kernel-skip: the sandbox kernel has no ipvlan module (CONFIG_IPVLAN); the expected output is pinned by tests/unit/test_cni_ipvlan.py from ipvlan.go and drivers/net/ipvlan
# ipvlan: made under a random vethXXXXXXXX name straight in the container,
# renamed to CNI_IFNAME, the master's MAC, interface 0, arp_notify=1; modes
# l2 (default), l3 (NOARP), l3s; the master from the default route, or chained
# from prevResult's one interface (and its IPs when there is no ipam); the
# error texts; nothing is cleaned up when a later step fails.
ip netns add node
for p in pod1 pod2 pod3 pod4; do ip netns add $p; done
ip -n node link add eth0 address 02:00:00:00:0e:01 type veth peer name eth0p
ip -n node link set eth0 up
ip -n node link set eth0p up
ip -n node addr add 10.80.0.254/24 dev eth0
ip -n node route add default via 10.80.0.1
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni /usr/lib/cni/ipvlan <<< "$4"; echo " [exit $?]"; }
base='"cniVersion":"1.0.0","name":"iv","type":"ipvlan"'
ipam='"ipam":{"type":"host-local","subnet":"10.80.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}'
run ADD c1 pod1 "{$base,\"master\":\"eth0\",$ipam}"
ip -n pod1 -d link
ip -n pod1 addr
ip -n pod1 route
ip netns exec pod1 sysctl net.ipv4.conf.eth1.arp_notify
prev='"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth1","mac":"02:00:00:00:0e:01","sandbox":"/var/run/netns/pod1"}],"ips":[{"interface":0,"address":"10.80.0.2/24","gateway":"10.80.0.1"}],"routes":[{"dst":"0.0.0.0/0"}]}'
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",\"mode\":\"l3\",$ipam,$prev}"
run CHECK c1 pod1 "{$base,$ipam,$prev}"
# the default route's device; l3 mode for the whole port
run ADD c2 pod2 "{$base,\"mode\":\"l3\",$ipam}"
ip -n pod2 -d link
ip -n pod1 -br link
# chained: the master is prevResult's interface, its IPs configured without ipam
run ADD c3 pod3 "{$base,\"mode\":\"l3s\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.80.0.50/24\",\"gateway\":\"10.80.0.1\"}]}}"
ip -n pod3 -d link
ip -n pod3 addr
run ADD c4 pod4 "{$base,\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}"
run ADD c4 pod4 "{$base,\"master\":\"eth0\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\"}]}}"
ip -n pod4 -br link
ip -n pod4 link del eth1
# errors
run ADD c5 pod4 "{$base,\"master\":\"eth0\",\"mode\":\"l4\"}"
run ADD c5 pod4 "{$base,\"master\":\"nope\",$ipam}"
run ADD c5 nonexist "{$base,\"master\":\"eth0\",$ipam}"
run ADD c5 pod1 "{$base,\"master\":\"eth0\",$ipam}"
ip -n pod1 -br link
run ADD c5 pod4 "{$base,\"master\":\"eth0\",\"mtu\":9000,$ipam}"
ip -n pod4 -br link
# DEL: IPAM, then the link (gone, or no namespace: fine)
run DEL c1 pod1 "{$base,\"master\":\"eth0\",$ipam}"
run DEL c1 pod1 "{$base,\"master\":\"eth0\",$ipam}"
run DEL c1 nonexist "{$base,\"master\":\"nope\",$ipam}"
ip -n pod1 -br link
ls /var/lib/cni/networks/iv
