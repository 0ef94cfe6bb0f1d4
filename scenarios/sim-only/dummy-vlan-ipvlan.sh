# kernel-skip: the sandbox kernel lacks the dummy, 8021q and ipvlan modules ("Error: Unknown device type."); the expected behaviour is from Linux 6.18 drivers/net/dummy.c, net/8021q/ and drivers/net/ipvlan/
# dummy, 802.1Q VLAN and ipvlan devices as CNI plugins create them.
echo "== dummy: a NOARP sink with carrier"
ip netns add h
ip -n h link add d0 address 02:00:00:00:00:d0 type dummy
ip -n h link add d0 type dummy 2>&1; echo "rc $?"
ip -n h link set d0 up
ip -n h addr add 192.0.2.1/24 dev d0
ip -n h -d link show d0
ip netns exec h ping -c1 -W1 192.0.2.5; echo "rc $?"
ip -n h neigh
echo "== vlan: tagged on the wire, one device per VID"
ip netns add a
ip netns add b
ip -n a link add eth0 address 02:00:00:00:00:a0 type veth peer name eth0 netns b address 02:00:00:00:00:b0
ip -n a link add link eth0 name eth0.10 type vlan id 10
ip -n b link add link eth0 name eth0.10 type vlan id 10
ip -n b link add link eth0 name eth0.20 type vlan id 20
ip -n a link add link eth0 name eth0.30 type vlan id 30
ip -n a link add link eth0 name v type vlan id 10 2>&1; echo "rc $?"
ip -n a link add link eth0 name v type vlan id 4095 2>&1; echo "rc $?"
ip -n a link add link eth0 name v type vlan id 70000 2>&1; echo "rc $?"
ip -n a link add link eth0 name v type vlan 2>&1; echo "rc $?"
ip -n a link add name v type vlan id 5 2>&1; echo "rc $?"
ip -n a link set eth0.10 up 2>&1; echo "rc $?"
ip -n a addr add 10.10.0.1/24 dev eth0.10
ip -n b addr add 10.10.0.2/24 dev eth0.10
ip -n b addr add 10.20.0.2/24 dev eth0.20
ip -n a addr add 10.30.0.1/24 dev eth0.30
ip -n b addr add 10.30.0.2/24 dev eth0
ip -n a link set eth0 up
ip -n b link set eth0 up
sleep 1.2
ip -n a link show
ip -n a -d link show eth0.10
ip -n a -d -j link show eth0.10
ip netns exec a ping -c1 -W1 10.10.0.2; echo "rc $?"
ip -n b neigh
echo "== VID 30 is nobody's on b: its frames are for another host"
ip netns exec a ping -c1 -W1 10.30.0.2; echo "rc $?"
ip -n a link set eth0.10 mtu 1600 2>&1; echo "rc $?"
ip -n a link set eth0 mtu 1400
ip -n a link show eth0.10
ip -n b link set eth0 down
ip -n b link show
ip -n b link del eth0
ip -n b link show
echo "== ipvlan l2: siblings share the lower's MAC"
ip netns add n
ip netns add p
ip netns add q
ip -n n link add eth0 address 02:00:00:00:00:c0 type veth peer name peer0 address 02:00:00:00:00:c1
ip -n n link add ipa link eth0 type ipvlan mode l2
ip -n n link add ipb link eth0 type ipvlan mode l2
ip -n n link add ipc link lo type ipvlan 2>&1; echo "rc $?"
ip -n n link add ipc link eth0 type ipvlan mode l4 2>&1; echo "rc $?"
ip -n n link set ipa netns p
ip -n n link set ipb netns q
ip -n n link set eth0 up
ip -n n link set peer0 up
ip -n p addr add 10.30.0.1/24 dev ipa
ip -n q addr add 10.30.0.2/24 dev ipb
ip -n p link set ipa up
ip -n q link set ipb up
sleep 1.2
ip -n p -d link show ipa
ip netns exec p ping -c1 -W1 10.30.0.2; echo "rc $?"
ip -n q neigh
echo "== ipvlan l3: NOARP, routed in the lower's namespace"
ip -n n link add ipd link eth0 type ipvlan mode l3
ip -n q link show ipb
ip -n p neigh flush all
ip netns exec p ping -c1 -W1 10.30.0.2; echo "rc $?"
ip -n p neigh
ip -n n link del eth0
ip -n p link show
