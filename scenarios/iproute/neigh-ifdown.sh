# arp_ifdown(): a device going down, or losing its last IPv4 address, loses
# every neighbour entry, permanent ones too; lo gets 127.0.0.1/8 back on every
# up; the first packet over lo makes its one neighbour, 0.0.0.0 NOARP.
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0 nud permanent
ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev v0 nud stale
ip neigh show nud all | sort  # (the kernel lists in a random hash order)
ip link set v0 down
echo "after down:"; ip neigh show nud all | sort
ip link set v0 up
ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0 nud permanent
ip addr add 10.1.0.9/24 dev v0
ip addr del 10.0.0.1/24 dev v0
echo "one address left:"; ip neigh show nud all | sort
ip addr del 10.1.0.9/24 dev v0
echo "none left:"; ip neigh show nud all | sort
ip link set lo up
ip addr add 10.9.9.9/32 dev lo
ip link set lo down
ip addr del 127.0.0.1/8 dev lo
ip -br addr show lo
ip link set lo up
ip -br addr show lo
ip route show table local
ping -c1 -W1 127.0.0.1 | tail -2
ip neigh show nud all | sort  # (the kernel lists in a random hash order)
