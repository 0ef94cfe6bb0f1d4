# macvlan (drivers/net/macvlan.c): devices stacked on one lower device, each
# with its own MAC.  In bridge mode siblings reach each other through the
# lower; in private mode they do not; no mode reaches the lower's own stack.
# Deleting the lower deletes its macvlans, wherever they live.
for n in host a b c d; do ip netns add $n; ip -n $n link set lo up; done
ip -n host link add eth0 address 02:00:00:00:00:e0 type veth peer name peer0 address 02:00:00:00:00:e1
ip -n host addr add 10.0.0.254/24 dev eth0
ip -n host link set peer0 up
ip -n host link add mva link eth0 type macvlan mode bridge
ip -n host link add mvb link eth0 type macvlan mode bridge
ip -n host link add mvc link eth0 address 02:00:00:00:00:0c type macvlan mode private
ip -n host link add mvd link eth0 type macvlan mode private
ip -n host link add mvx link eth0 type macvlan mode passthru 2>&1; echo "rc $?"
ip -n host link add mvy link lo type macvlan 2>&1; echo "rc $?"
ip -n host link add mvz type macvlan 2>&1; echo "rc $?"
ip -n host link add mvz link eth0 type macvlan mode foo 2>&1; echo "rc $?"
ip -n host link add mvz link eth0 mtu 9000 type macvlan 2>&1; echo "rc $?"
ip -n host link show
ip -n host -d link show mvc | grep -o 'macvlan mode .* usedbcqueuelen [0-9]*'
ip -n host -j -d link show mvb | grep -o '"linkinfo":{[^}]*}}'
ip -n host link set mvc address 02:00:00:00:00:e0 2>&1; echo "rc $?"
ip -n host link add br0 type bridge
ip -n host link set eth0 master br0 2>&1; echo "rc $?"
ip -n host link del br0
for x in a b c d; do ip -n host link set mv$x netns $x; done
ip -n a link show
for x in a b c d; do ip -n $x link set mv$x up; done
ip -n a addr add 10.0.0.1/24 dev mva
ip -n b addr add 10.0.0.2/24 dev mvb
ip -n c addr add 10.0.0.3/24 dev mvc
ip -n d addr add 10.0.0.4/24 dev mvd
ip -n a link show mva
echo "== lower device down: no carrier"
ip -n host link set eth0 up
sleep 1.2
ip -n a link show mva
ip -n host -d -j link show eth0 | grep -o '"promiscuity":[0-9]*'
echo "== bridge mode: siblings talk"
ip netns exec a ping -c1 -W1 10.0.0.2
echo "== private mode: they do not"
ip netns exec c ping -c1 -W1 10.0.0.4
echo "exit status $?"
echo "== nor does anyone reach the lower's own address"
ip netns exec a ping -c1 -W1 10.0.0.254
echo "exit status $?"
ip -n a neigh | sort
echo "== deleting the lower deletes its macvlans"
ip -n host link del eth0
ip -n a link show
ip -n host link show
