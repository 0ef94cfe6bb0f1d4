# A VTEP without "dev" keeps MTU 1500, but the tunnel carries 1450 over a
# 1500-byte underlay: the first big packet still goes (in outer fragments) and
# teaches the sender the path MTU (skb_tunnel_check_pmtu), so DF packets fail.
ip netns add n1
ip netns add n2
ip -n n1 link add u1 address 02:00:00:00:50:01 type veth peer name u2 netns n2 address 02:00:00:00:50:02
ip -n n1 addr add 192.168.50.1/24 dev u1
ip -n n2 addr add 192.168.50.2/24 dev u2
ip -n n1 link set u1 up
ip -n n2 link set u2 up
for i in 1 2; do
  ip -n n$i link add vx0 address 02:00:00:00:0a:0$i type vxlan id 100 local 192.168.50.$i dstport 4789
  ip -n n$i addr add 10.40.0.$i/24 dev vx0
  ip -n n$i link set vx0 up
done
bridge -n n1 fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.50.2
bridge -n n2 fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.50.1
ip -n n1 link show vx0
ip netns exec n1 ping -c1 10.40.0.2 | tail -2
ip netns exec n1 ping -c2 -M do -s 1472 10.40.0.2 2>&1
ip -n n1 route get 10.40.0.2
ip -n n1 -j route get 10.40.0.2
# without DF the sender fragments to the learned MTU itself
ip netns exec n1 ping -c2 -s 1472 10.40.0.2 | tail -3
