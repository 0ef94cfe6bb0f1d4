# br_netfilter: traffic between two ports of a bridge crosses the bridge
# namespace's filter FORWARD chain (bridge-nf-call-iptables=1), even with
# ip_forward=0; a DROP policy stops it, a rule with -i/-o the bridge lets
# it through, and bridge-nf-call-iptables=0 bypasses iptables.
ip netns add sw
ip netns add h1
ip netns add h2
ip -n sw link add br0 type bridge
ip -n sw link set br0 up
for i in 1 2; do
  ip -n sw link add p$i type veth peer name eth0 netns h$i
  ip -n sw link set p$i master br0 up
  ip -n h$i addr add 10.30.0.$i/24 dev eth0
  ip -n h$i link set eth0 up
done
ip netns exec sw sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables
ip netns exec h1 ping -c 1 10.30.0.2 | head -2
ip netns exec sw iptables -P FORWARD DROP
echo '# FORWARD policy DROP in the bridge namespace'
ip netns exec h1 ping -c 1 -W 1 10.30.0.2 | tail -2
ip netns exec sw iptables -A FORWARD -i br0 -o br0 -s 10.30.0.1 -j ACCEPT
ip netns exec sw iptables -A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT
echo '# allowed from h1, and the replies'
ip netns exec h1 ping -c 2 10.30.0.2 | head -3
ip netns exec h2 ping -c 1 -W 1 10.30.0.1 | tail -2
ip netns exec sw sysctl -w net.bridge.bridge-nf-call-iptables=0
echo '# bypassed'
ip netns exec h2 ping -c 1 10.30.0.1 | head -2
ip netns exec sw iptables-save -c -t filter
