# ip link set promisc: the PROMISC flag shows the user's setting; the
# promiscuity count also includes a bridge's own hold on its ports.
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link set v0 promisc on
ip link show v0
ip link add br0 address 02:00:00:00:00:10 type bridge
ip link set v0 master br0
ip -d -j link show v0 | grep -o '"flags":\[[^]]*\]\|"promiscuity":[0-9]*'
ip link set v0 promisc off
ip -d -j link show v0 | grep -o '"flags":\[[^]]*\]\|"promiscuity":[0-9]*'
cat /sys/class/net/v0/flags
ip link set v0 nomaster
cat /sys/class/net/v0/flags
ip link set v0 promisc foo 2>&1; echo "rc $?"
