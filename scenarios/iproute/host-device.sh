# What the host-device CNI plugin does: a host's device moves into a pod's
# namespace (renamed, with an address there) and back again on DEL.  The move
# takes the device down and drops its IPv4 addresses; the ifindex stays when
# it is free in the target.
ip netns add pod
ip link add eth1 address 02:00:00:00:00:01 type veth peer name peer1 address 02:00:00:00:00:02
ip addr add 192.168.9.1/24 dev eth1
ip link set eth1 up
ip -br addr show eth1
ip link set eth1 netns pod name net1
ip -n pod link set net1 up
ip -n pod addr add 10.1.0.5/24 dev net1
ip -n pod -br addr
ip -n pod route
ip link show eth1 2>&1; echo "rc $?"
ip link show peer1
# DEL: back to the host (PID 1's namespace) under its old name, down and
# without addresses
ip -n pod link set net1 netns 1 name eth1
ip link show eth1
ip -br addr show eth1
ip -n pod link show net1 2>&1; echo "rc $?"
ip -n pod link set lo netns 1 2>&1; echo "rc $?"
ip link set eth1 netns 4242 2>&1; echo "rc $?"
