# bridge + host-local (cni.md T1; ipMasq in bridge-ipmasq.sh): two pods on cni0,
# gateway and default route, the existing-ifname and missing-netns errors,
# DEL repeated and with a gone netns.  Veth names are random (masked).
ip netns add node
ip netns add pod1
ip netns add pod2
conf='{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","isDefaultGateway":true,"hairpinMode":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/24"},"dns":{"nameservers":["10.22.0.1"]}}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge <<< "$conf"; echo " [exit $?]"; }
run ADD ctr1 /var/run/netns/pod1
run ADD ctr2 /var/run/netns/pod2
run ADD ctr1 /var/run/netns/pod1
run ADD ctr9 /var/run/netns/nonexist
ip -n node -br link
ip -n node addr show cni0
ip -n node route
ip -n pod1 route
ip -n pod1 -br addr
ip netns exec node sysctl net.ipv4.ip_forward
ip netns exec pod1 sysctl net.ipv4.conf.eth0.arp_notify
run DEL ctr2 /var/run/netns/pod2
run DEL ctr2 /var/run/netns/pod2
run DEL ctr2 /var/run/netns/gone
ls /var/lib/cni/networks/mynet
ip -n node -br link
