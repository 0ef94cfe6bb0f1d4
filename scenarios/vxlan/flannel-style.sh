# flannel's vxlan backend by hand, on two nodes: flannel.1 (VNI 1, port 8472,
# nolearning, the subnet's .0/32), and per remote node the neighbour, FDB
# entry and onlink route flanneld installs; a pod per node behind cni0.
ip netns add node1
ip netns add node2
ip -n node1 link add eth0 address 02:00:00:00:50:01 type veth peer name eth0 netns node2 address 02:00:00:00:50:02
for nodes in "1 0" "2 1"; do
  set -- $nodes
  i=$1 s=$2 n=node$1
  ip -n $n addr add 192.168.50.$i/24 dev eth0
  ip -n $n link set eth0 up
  ip -n $n link set lo up
  ip netns exec $n sysctl -qw net.ipv4.ip_forward=1
  ip -n $n link add flannel.1 address 02:00:00:00:f1:0$i type vxlan id 1 local 192.168.50.$i dev eth0 dstport 8472 nolearning
  ip -n $n addr add 10.244.$s.0/32 dev flannel.1
  ip -n $n link set flannel.1 up
  ip -n $n link add cni0 address 02:00:00:00:c0:0$i type bridge
  ip -n $n addr add 10.244.$s.1/24 dev cni0
  ip -n $n link set cni0 up
  ip netns add pod$i
  ip -n $n link add veth$i type veth peer name eth0 netns pod$i address 02:00:00:00:a0:0$i
  ip -n $n link set veth$i master cni0
  ip -n $n link set veth$i up
  ip -n pod$i addr add 10.244.$s.2/24 dev eth0
  ip -n pod$i link set eth0 up
  ip -n pod$i route add default via 10.244.$s.1
done
sleep 1.2
# what flanneld does for each remote node: neighbour, FDB, route
ip -n node1 neigh add 10.244.1.0 lladdr 02:00:00:00:f1:02 dev flannel.1 nud permanent
bridge -n node1 fdb add 02:00:00:00:f1:02 dev flannel.1 dst 192.168.50.2 self permanent
ip -n node1 route add 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
ip -n node2 neigh add 10.244.0.0 lladdr 02:00:00:00:f1:01 dev flannel.1 nud permanent
bridge -n node2 fdb add 02:00:00:00:f1:01 dev flannel.1 dst 192.168.50.1 self permanent
ip -n node2 route add 10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink
ip -n node1 -d link show flannel.1 | grep -o 'mtu [0-9]*\|vxlan id.*noudp6zerocsumrx'
ip -n node1 route
ip -n node1 route get 10.244.1.2
ip netns exec pod1 ping -c2 -i 0.2 10.244.1.2
ip netns exec pod2 ping -c1 10.244.0.2 | tail -2
ip netns exec pod1 ping -c1 -t 2 10.244.1.2 | tail -3
bridge -n node1 fdb show dev flannel.1
ip -n node2 neigh show dev flannel.1
# a packet too big for the overlay: DF set, so the pod learns the path MTU
ip netns exec pod1 ping -c1 -M do -s 1460 10.244.1.2 | head -2
# the remote node leaves: flanneld removes route, FDB entry and neighbour
ip -n node1 route del 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
bridge -n node1 fdb del 02:00:00:00:f1:02 dev flannel.1 dst 192.168.50.2 self
ip -n node1 neigh del 10.244.1.0 dev flannel.1
ip netns exec pod1 ping -c1 -W1 10.244.1.2 | tail -2
