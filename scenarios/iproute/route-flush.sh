# ip route flush: every route of a table (main unless told) matching the
# selectors goes, the kernel's own prefix routes too; no selector is an error.
ip link add v0 type veth peer name v1
ip addr add 10.0.0.1/24 dev v0
ip link set v0 up
ip link set v1 up
ip route add 10.5.0.0/16 via 10.0.0.2
ip route add blackhole 10.6.0.0/16
ip route add 10.7.0.0/16 dev v0 proto static
ip route flush 2>&1; echo "rc $?"
ip route flush proto static 2>&1; echo "rc $?"
ip route
ip route flush dev v0 2>&1; echo "rc $?"
ip route
echo --
ip route flush table main 2>&1; echo "rc $?"
ip route
ip route flush table 99 2>&1; echo "rc $?"
ip route flush table local 2>&1; echo "rc $?"
ip route show table local
ip route flush dev nope 2>&1; echo "rc $?"
