# The CNI bridge plugin's ipMasq chains (cni.md T1), built by hand on a node
# whose pods sit on cni0: pods reach an outside host through MASQUERADE;
# pod-to-pod traffic is bridged, yet crosses the node's nat POSTROUTING
# (br_netfilter, bridge-nf-call-iptables=1) where the chain's "-d subnet
# -j ACCEPT" keeps it un-NATed.
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link add cni0 type bridge
ip -n node addr add 10.22.0.1/24 dev cni0
ip -n node link set cni0 up
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
ip netns exec node sysctl -w net.ipv4.ip_forward=1
ip netns exec node sysctl net.bridge.bridge-nf-call-iptables
ipmasq() {  # ipmasq CHAIN IP ID: what ip.SetupIPMasq does for one container
  local c="name: \"mynet\" id: \"$3\""
  ip netns exec node iptables -t nat -N $1
  ip netns exec node iptables -t nat -A $1 -d 10.22.0.0/24 -j ACCEPT -m comment --comment "$c" --wait
  ip netns exec node iptables -t nat -A $1 ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment "$c" --wait
  ip netns exec node iptables -t nat -A POSTROUTING -s $2 -j $1 -m comment --comment "$c" --wait
}
ipmasq CNI-5145007e2a8415ce07579739 10.22.0.2 ctr1
ipmasq CNI-c1c4887f429e682199f92515 10.22.0.3 ctr2
ip netns exec node iptables -t nat -S
echo '# pod -> outside host: masqueraded to the node'"'"'s address'
ip netns exec pod1 ping -c 2 192.168.0.2 | head -3
ip netns exec pod2 ping -c 1 192.168.0.2 | head -2
echo '# pod -> pod (bridged) and pod -> node: not NATed'
ip netns exec pod1 ping -c 1 10.22.0.3 | head -2
ip netns exec pod2 ping -c 1 10.22.0.1 | head -2
ip netns exec node iptables-save -c -t nat
echo '# the same chain removed (teardown order of ip.TeardownIPMasq)'
ip netns exec node iptables -t nat -D POSTROUTING -s 10.22.0.2 -j CNI-5145007e2a8415ce07579739 -m comment --comment 'name: "mynet" id: "ctr1"' --wait
ip netns exec node iptables -t nat -F CNI-5145007e2a8415ce07579739 --wait
ip netns exec node iptables -t nat -X CNI-5145007e2a8415ce07579739 --wait
ip netns exec node iptables -t nat -D POSTROUTING -s 10.22.0.2 -j CNI-5145007e2a8415ce07579739 -m comment --comment 'name: "mynet" id: "ctr1"' --wait 2>&1
echo "rc=$?"
ip netns exec node iptables -t nat -S
