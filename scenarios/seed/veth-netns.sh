# The seed notes' "network namespace" and "veth pair" sections: a veth pair
# between two namespaces, addresses on both ends, and a ping across.
ip netns add red
ip netns add blue
ip link add veth-red type veth peer name veth-blue
ip link set veth-red netns red
ip link set veth-blue netns blue
ip -n red addr add 10.0.0.1/24 dev veth-red
ip -n blue addr add 10.0.0.2/24 dev veth-blue
ip -n red link set veth-red up
ip -n blue link set veth-blue up
ip -n red link set lo up
sleep 1.2   # let the link watcher settle the operstates, as on a real machine
ip netns exec red ping -c 2 -i 0.2 10.0.0.2
ip netns exec red ping -c 1 10.0.0.1
# each namespace has its own routes; a device lives in one namespace only
ip -n red route
ip -n blue route
ip link show veth-red 2>&1
ip -n red -br addr
