# A VTEP as a bridge port (as the kernel.md transcripts T23-T26 do it): n1's
# VTEP learns, n2's does not and answers ARP itself (proxy) from its own
# neighbour table, so a controller must install neighbour + FDB entries.
ip netns add n1
ip netns add n2
ip -n n1 link add u1 address 02:00:00:00:50:01 type veth peer name u2 netns n2 address 02:00:00:00:50:02
ip -n n1 addr add 192.168.50.1/24 dev u1
ip -n n2 addr add 192.168.50.2/24 dev u2
ip -n n1 link set u1 up
ip -n n2 link set u2 up
ip -n n1 link add vxlan100 address 02:00:00:00:0a:01 type vxlan id 100 local 192.168.50.1 dstport 4789 dev u1 ageing 20
ip -n n2 link add vxlan100 address 02:00:00:00:0a:02 type vxlan id 100 local 192.168.50.2 dstport 4789 dev u2 nolearning proxy l2miss l3miss
for i in 1 2; do
  ip -n n$i link add br0 address 02:00:00:00:40:0$i type bridge
  ip -n n$i addr add 10.40.0.$i/24 dev br0
  ip -n n$i link set vxlan100 master br0
  ip -n n$i link set vxlan100 up
  ip -n n$i link set br0 up
done
sleep 1.2
bridge -n n1 fdb show dev vxlan100
bridge -n n1 fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.168.50.2
# n1 -> n2: the ARP request reaches n2, whose reply finds no FDB entry (l2miss)
ip netns exec n1 ping -c1 -W1 10.40.0.2 | tail -2
ip -n n2 neigh show dev br0
# n2 -> n1: the proxy VTEP has no neighbour entry for 10.40.0.1 (l3miss)
ip netns exec n2 ping -c1 -W1 10.40.0.1 | tail -2
# a STALE neighbour is not enough for the proxy
ip -n n2 neigh add 10.40.0.1 lladdr 02:00:00:00:40:01 dev vxlan100 nud stale
ip -n n2 neigh flush dev br0
ip netns exec n2 ping -c1 -W1 10.40.0.1 | tail -2
# what a controller installs: a permanent neighbour and a static FDB entry
ip -n n2 neigh replace 10.40.0.1 lladdr 02:00:00:00:40:01 dev vxlan100 nud permanent
bridge -n n2 fdb add 02:00:00:00:40:01 dev vxlan100 dst 192.168.50.1 self permanent
ip -n n2 neigh flush dev br0
sleep 4
# n2's request is answered locally, but n1's ARP for its reply reaches n2,
# whose ARP reply the proxy VTEP drops (never encapsulated): still no answer
ip netns exec n2 ping -c1 -W1 10.40.0.1 | tail -2
# with n1's neighbour installed too, both directions work
ip -n n1 neigh replace 10.40.0.2 lladdr 02:00:00:00:40:02 dev br0 nud permanent
ip netns exec n2 ping -c1 -W1 10.40.0.1 | tail -2
ip netns exec n1 ping -c1 -W1 10.40.0.2 | tail -2
bridge -n n1 fdb show br br0
bridge -n n2 fdb show dev vxlan100
ip -n n2 neigh show dev vxlan100   # (one device at a time: the kernel's
ip -n n2 neigh show dev br0        # neighbour dump order is a random hash's)
# learned entries age out after 'ageing 20' (swept every 10 s at the latest)
sleep 15
bridge -n n1 fdb show dev vxlan100
sleep 15
bridge -n n1 fdb show dev vxlan100
