# bridge failures (cni.md T2 and T1's error cases): isDefaultGateway plus an IPAM
# default route fails adding the duplicate default route (IP released, veth left);
# a missing IPAM binary; a device of the bridge's name that is no bridge;
# hairpin with promisc.
ip netns add node
ip netns add pod1
ip netns add pod2
ip -n node link add cni9 type veth peer name cni9p
base='"cniVersion":"1.0.0","name":"mynet","type":"bridge"'
ipam='"ipam":{"type":"host-local","subnet":"10.22.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge <<< "$4"; echo " [exit $?]"; }
run ADD ctr1 pod1 "{$base,\"isDefaultGateway\":true,$ipam}"
ls /var/lib/cni/networks/mynet
ip -n pod1 route
ip -n pod1 -br addr
ip -n node -br addr show cni0
run DEL ctr1 pod1 "{$base,\"isDefaultGateway\":true,$ipam}"
run ADD ctr2 pod2 "{$base,\"ipam\":{\"type\":\"nosuch\"}}"
run DEL ctr2 pod2 "{$base,\"ipam\":{\"type\":\"nosuch\"}}"
run ADD ctr2 pod2 "{$base,\"bridge\":\"cni9\"}"
run ADD ctr2 pod2 "{$base,\"hairpinMode\":true,\"promiscMode\":true}"
ip -n pod2 -br link
sleep 1.2   # the link watcher reports cni0 without ports as NO-CARRIER
ip -n node -br link show cni0
