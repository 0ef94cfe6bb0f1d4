# A device's new hardware address flushes its neighbours (arp_netdev_event()
# -> neigh_changeaddr()): permanent entries too, even for the same address set
# again; proxy entries stay.  A bridge whose MAC follows its lowest port does
# the same when a port's removal changes it.
ip link add v0 address 02:00:00:00:00:10 type veth peer name v1
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip link set v1 up
ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0 nud permanent
ip neigh add proxy 10.0.0.50 dev v0
ip neigh show dev v0
ip link set v0 address 02:00:00:00:00:10
echo "after the same address again:"
ip neigh show dev v0
ip neigh show proxy
ip link add p1 address 02:00:00:00:00:01 type veth peer name q1
ip link add p2 address 02:00:00:00:00:02 type veth peer name q2
ip link add br1 type bridge
ip link set p1 master br1
ip link set p2 master br1
ip link set br1 up
ip addr add 10.2.0.1/24 dev br1
ip neigh add 10.2.0.5 lladdr 02:00:00:00:00:05 dev br1 nud stale
ip link del p2
echo "p2 gone, br1 keeps 02:00:00:00:00:01:"
ip neigh show dev br1
ip link del p1
echo "p1 gone, br1's address changes:"
ip neigh show dev br1
sleep 2  # the link watcher settles (br1 lost carrier with its last port)
