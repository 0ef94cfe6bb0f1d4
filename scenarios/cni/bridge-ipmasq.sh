# bridge + host-local with ipMasq (cni.md T1): each pod gets a CNI-<hash> chain in
# the node's nat table (-d subnet ACCEPT, ! -d 224.0.0.0/4 MASQUERADE) and a
# POSTROUTING jump; a pod reaches a host beyond the node only through it.  DEL
# tears the chain down only for addresses still on the pod's eth0 (T1: ctr2's
# address removed first, its chain stays).  Veth names are random (masked).
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.7.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.7.2/24 dev eth0
ip -n ext link set eth0 up
conf='{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isDefaultGateway":true,"ipMasq":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/24"}}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge <<< "$conf" >/dev/null; echo "$1 $2 [exit $?]"; }
run ADD ctr1 /var/run/netns/pod1
run ADD ctr2 /var/run/netns/pod2
ip netns exec node iptables -t nat -S
ip netns exec node iptables-save -t nat | grep -v '^#'
ip netns exec pod1 ping -c 1 -W 1 192.168.7.2 | head -2
ip netns exec pod1 ping -c 1 -W 1 10.22.0.3 | head -2
ip netns exec node iptables -t nat -L POSTROUTING -n -v
ip -n pod2 addr del 10.22.0.3/24 dev eth0
run DEL ctr2 /var/run/netns/pod2
run DEL ctr1 /var/run/netns/pod1
run DEL ctr1 /var/run/netns/pod1
ip netns exec node iptables -t nat -S
sleep 2  # the link watcher settles (operstate, linkdown routes) on the kernel
