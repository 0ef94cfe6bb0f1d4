# The seed notes' bridge walk-through: once veth0 is enslaved to br0, what
# arrives on veth0 goes up br0's stack, so an address left on veth0 stops
# answering; moving the address to br0 fixes it.  The far end of the veth pair
# sits in its own namespace ("peer") so that the pings cross the wire.
for n in host peer; do ip netns add $n; ip -n $n link set lo up; done
ip -n host link add name br0 type bridge
ip -n host link set br0 up
ip -n host link add veth0 address 02:00:00:00:00:a0 type veth peer name veth1 netns peer address 02:00:00:00:00:a1
ip -n host addr add 1.2.3.101/24 dev veth0
ip -n peer addr add 1.2.3.102/24 dev veth1
ip -n host link set veth0 up
ip -n peer link set veth1 up
sleep 1.2
echo "== before enslaving"
ip netns exec peer ping -c1 -W1 1.2.3.101
ip -n host link set dev veth0 master br0
sleep 1.2
ip -n peer neigh flush all
ip -n host neigh flush all
echo "== veth0 in br0, the address still on veth0"
ip netns exec peer ping -c1 -W1 1.2.3.101
echo "exit status $?"
bridge -n host link
ip -n host addr del 1.2.3.101/24 dev veth0
ip -n host addr add 1.2.3.101/24 dev br0
ip -n peer neigh flush all
echo "== the address on br0"
ip netns exec peer ping -c1 -W1 1.2.3.101
ip -n host route
bridge -n host fdb show br br0
