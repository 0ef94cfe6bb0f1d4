# The seed's VXLAN overlay between two hosts: each "node" namespace has an
# underlay veth (192.168.50.0/24) and a VTEP with VNI 100 on UDP 4789; the
# all-zeros FDB entry floods ARP to the other VTEP, and learning fills in the
# rest (n1 learns, n2 does not).
ip netns add n1
ip netns add n2
ip -n n1 link add u1 address 02:00:00:00:50:01 type veth peer name u2 netns n2 address 02:00:00:00:50:02
ip -n n1 addr add 192.168.50.1/24 dev u1
ip -n n2 addr add 192.168.50.2/24 dev u2
ip -n n1 link set u1 up
ip -n n2 link set u2 up
ip -n n1 link add vxlan100 address 02:00:00:00:0a:01 type vxlan id 100 local 192.168.50.1 dstport 4789 dev u1
ip -n n2 link add vxlan100 address 02:00:00:00:0a:02 type vxlan id 100 local 192.168.50.2 dstport 4789 dev u2 nolearning
ip -n n1 addr add 10.40.0.1/24 dev vxlan100
ip -n n2 addr add 10.40.0.2/24 dev vxlan100
ip -n n1 link set vxlan100 up
ip -n n2 link set vxlan100 up
ip -n n1 -br link show vxlan100
ip -n n1 -d link show vxlan100 | grep -o 'vxlan id.*noudp6zerocsumrx'
# no FDB entry at all: the VTEP drops what it would send
ip netns exec n1 ping -c1 -W1 10.40.0.2 | tail -2
sleep 3   # the unanswered ARP request gives up (3 probes, 1 s apart): FAILED
ip -n n1 neigh show dev vxlan100
bridge -n n1 fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.168.50.2
bridge -n n2 fdb append 00:00:00:00:00:00 dev vxlan100 dst 192.168.50.1
bridge -n n1 fdb show dev vxlan100
ip netns exec n1 ping -c2 10.40.0.2
ip -n n1 neigh show dev vxlan100
# n1 learned n2's MAC behind its VTEP address; n2 (nolearning) did not
bridge -n n1 fdb show dev vxlan100
bridge -n n2 fdb show dev vxlan100
bridge -n n1 -j fdb show dev vxlan100
ip netns exec n2 ping -c1 10.40.0.1 | tail -2
