# macvlan (cni.md T6): the device is made under a random vethXXXXXXXX name
# straight in the container (its ifindex is the container's next), renamed to
# CNI_IFNAME; result interface 0, only the kernel's subnet route, arp_notify=1;
# the master's default from the default route; L2 without ipam; the modes; the
# MAC from CNI_ARGS < runtimeConfig; CHECK; the error texts (bad mode, MTU,
# master missing on ADD and DEL, the "%!q(<nil>)" of a missing netns, a name
# clash, bad MACs, a busy master); a failed IPAM ADD leaves the link behind and
# a failed configuration releases the address but leaves the link (the Go
# code's shadowed err); DEL twice.
ip netns add node
for p in pod1 pod2 pod3 pod4 pod5; do ip netns add $p; done
ip -n node link add cnixm0 type veth peer name cnixm0p
ip -n node link add eth2 type veth peer name eth2p
for d in cnixm0 cnixm0p eth2 eth2p; do ip -n node link set $d up; done
ip -n node addr add 10.60.0.254/24 dev cnixm0
ip -n node route add default via 10.60.0.1
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni /usr/lib/cni/macvlan <<< "$4"; echo " [exit $?]"; }
runa() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni "$5" /usr/lib/cni/macvlan <<< "$4"; echo " [exit $?]"; }
base='"cniVersion":"1.0.0","name":"mv","type":"macvlan"'
ipam='"ipam":{"type":"host-local","subnet":"10.60.0.0/24"}'
conf="{$base,\"master\":\"cnixm0\",\"mode\":\"bridge\",$ipam}"
run ADD c1 pod1 "$conf"
ip -n pod1 -d link
ip -n pod1 addr
ip -n pod1 route
ip netns exec pod1 sysctl net.ipv4.conf.eth1.arp_notify
ip -n node -d link show cnixm0
bridge -n node fdb show
prev='"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth1","sandbox":"/var/run/netns/pod1"}],"ips":[{"interface":0,"address":"10.60.0.2/24","gateway":"10.60.0.1"}]}'
run CHECK c1 pod1 "{$base,\"master\":\"cnixm0\",$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"cnixm0\",\"mode\":\"vepa\",$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"cnixm0\",\"mode\":\"foo\",$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"cnixm0\",$ipam}"
run CHECK c1 pod2 "{$base,\"master\":\"cnixm0\",$ipam,$prev}"
# L2 only, the master from the default route
run ADD c2 pod2 "{$base}"
ip -n pod2 -br link
# errors
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mode\":\"foo\"}"
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mtu\":9000}"
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mtu\":-1}"
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mtu\":\"x\"}"
run ADD c3 pod3 "{$base,\"master\":\"nope\"}"
run DEL c3 pod3 "{$base,\"master\":\"nope\"}"
run ADD c3 nonexist "{$base,\"master\":\"cnixm0\"}"
run ADD c3 pod1 "{$base,\"master\":\"cnixm0\",\"mode\":\"private\"}"
ip -n pod1 -br link
runa ADD c3 pod3 "{$base,\"master\":\"cnixm0\"}" CNI_ARGS=K8S_POD_NAME=x
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mac\":\"zz\"}"
run ADD c3 pod3 "{$base,\"master\":\"cnixm0\",\"mac\":\"01:00:00:00:00:01\"}"
run ADD c3 pod3 "{$base,\"master\":\"lo\"}"
ip -n node link add br0 type bridge
ip -n node link add v2 type veth peer name v2p
ip -n node link set v2 master br0
run ADD c3 pod3 "{$base,\"master\":\"v2\"}"
ip -n pod3 -br link
ip netns exec pod3 env CNI_COMMAND=ADD CNI_CONTAINERID=x CNI_NETNS=/var/run/netns/pod2 CNI_IFNAME=eth9 CNI_PATH=/usr/lib/cni /usr/lib/cni/macvlan <<< "{$base}"; echo " [exit $?]"
# IPAM exhausted: the macvlan stays (down); configuring fails: address released, link stays
run ADD c4 pod3 "{$base,\"master\":\"cnixm0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.61.0.0/30\"}}"
run ADD c5 pod4 "{$base,\"master\":\"cnixm0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.61.0.0/30\"}}"
ip -n pod4 -br link
run ADD c6 pod5 "{$base,\"name\":\"mv2\",\"master\":\"cnixm0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.62.0.0/24\",\"routes\":[{\"dst\":\"10.99.0.0/16\",\"gw\":\"10.200.0.1\"}]}}"
ip -n pod5 -br link
ls /var/lib/cni/networks/mv2
# passthru: runtimeConfig's MAC wins over CNI_ARGS and the config's; vepa at 0.3.1
ip -n pod5 link del eth1
runa ADD c7 pod5 "{$base,\"master\":\"eth2\",\"mode\":\"passthru\",\"mtu\":1400,\"mac\":\"02:00:00:00:11:02\",\"runtimeConfig\":{\"mac\":\"02:00:00:00:11:04\"}}" "CNI_ARGS=IgnoreUnknown=1;MAC=02:00:00:00:11:03"
ip -n pod5 -d link show eth1
ip -n node -br link show eth2
run ADD c8 pod4 "{\"cniVersion\":\"0.3.1\",\"name\":\"mv\",\"type\":\"macvlan\",\"master\":\"cnixm0\",\"mode\":\"vepa\",\"dns\":{\"nameservers\":[\"10.60.0.1\"]},$ipam}"
ip -n pod4 link del eth1
run ADD c8 pod4 "{\"cniVersion\":\"0.3.1\",\"name\":\"mv\",\"type\":\"macvlan\",\"master\":\"cnixm0\",\"mode\":\"vepa\",\"dns\":{\"nameservers\":[\"10.60.0.1\"]},$ipam}"
ip -n pod4 -d link show eth1
# DEL: the link goes, IPAM releases; again: fine; no or a gone netns: fine; a directory: not
run DEL c1 pod1 "$conf"
run DEL c1 pod1 "$conf"
run CHECK c1 pod1 "$conf"
ip -n pod1 -br link
run DEL c1 nonexist "$conf"
run DEL c1 "" "$conf"
ls /var/lib/cni/networks/mv
