# ptp with a /30 (cni.md T4): host veth with <gw>/32 and a /32 host route, the
# container's routes via the gateway, the ipMasq chain, then exhaustion (IPAM
# first: nothing created in pod2), DEL (veth, route and chain gone).  Veth
# names masked.
ip netns add node
ip netns add pod1
ip netns add pod2
conf='{"cniVersion":"1.0.0","name":"ptpnet","type":"ptp","ipMasq":true,"mtu":1400,"ipam":{"type":"host-local","subnet":"10.40.0.0/30","routes":[{"dst":"0.0.0.0/0"}]}}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/ptp <<< "$conf"; echo " [exit $?]"; }
run ADD p1 pod1
sleep 2  # the kernel's linkwatch marks eth0 oper-UP up to a second later (and then some)
ip -n node -br addr
ip -n node route
ip -n pod1 -br addr
ip -n pod1 route
ip netns exec node sysctl net.ipv4.ip_forward
ip netns exec node iptables -t nat -S
run ADD p2 pod2
ip -n pod2 -br link
run DEL p1 pod1
run DEL p1 pod1
ip -n node -br link
ip -n node route
ip netns exec node iptables -t nat -S
