# tc (iproute2 6.1) on the kernel's traffic control: tbf as root qdisc with
# tc's own units and arithmetic (rate, burst, latency or limit, peakrate/mtu),
# the show forms (-s, -d, -r, -j, dev, root, ingress, handle), the ingress
# qdisc, a u32 match-all filter with mirred redirect/mirror actions to an ifb,
# replace/change, deletes, and the refusals with tc's words and statuses.
ip netns add a
ip netns add b
ip -n a link add v0 type veth peer name v1 netns b
ip -n a link add ifb0 type ifb
ip -n a link set v0 up
ip -n b link set v1 up
sleep 2  # the kernel's link watcher marks the veths oper-UP up to a second later
t() { ip netns exec a tc "$@" 2>&1; echo "[$?]"; }
t qdisc show
ip -n a link set ifb0 up
t qdisc show dev ifb0
t qdisc add dev v0 root handle 1: tbf rate 1mbit burst 12500 latency 25ms
t qdisc add dev v0 root handle 1: tbf rate 1mbit burst 12500 latency 25ms
t qdisc add dev v0 root handle 2: tbf rate 1mbit burst 12500 latency 25ms
t qdisc replace dev v0 root handle 1: tbf rate 8mbit burst 32kb limit 100000
t -s qdisc show dev v0
t -d -r qdisc show dev v0
t qdisc change dev v0 root handle 1: tbf rate 1500kbit burst 10kb latency 50ms peakrate 2mbit mtu 1600
t qdisc show dev v0
t -j qdisc show dev v0
t qdisc add dev ifb0 root handle 5: tbf rate 100kbps burst 1mb latency 1s
t qdisc show root
t qdisc show handle 5:
t qdisc add dev v0 ingress
t qdisc add dev v0 ingress
t qdisc show ingress
t filter add dev v0 parent ffff: protocol all prio 1 u32 match u32 0 0 flowid 1:1 action mirred egress redirect dev ifb0
t filter add dev v0 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress mirror dev ifb0
t filter add dev v0 parent ffff: protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0
t filter show dev v0 parent ffff:
t -j filter show dev v0 parent ffff:
sleep 1  # the actions' ages, in seconds (USER_HZ ticks): installed, used
t -s filter show dev v0 parent ffff:
t filter show dev v0
t filter show dev v0 parent ffff: prio 2
t filter add dev v0 parent 1: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0
t filter add dev v1 parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0
t filter del dev v0 parent ffff: prio 3
t filter del dev v0 parent ffff: prio 1
t filter show dev v0 parent ffff:
t qdisc del dev v0 ingress
t qdisc del dev v0 ingress
t qdisc del dev v1 root
t qdisc del dev v0 root handle 7:
t qdisc del dev v0 root
t qdisc del dev v0 root
t qdisc show
t qdisc add dev nope root tbf rate 1mbit burst 10kb latency 1ms
t qdisc add dev v0 root tbf burst 10kb
t qdisc add dev v0 root tbf rate 1mbit burst 10kb latency 1ms limit 1000
t qdisc add dev v0 root tbf rate 1mbit burst 10kb limit 1000 latency 1ms
t qdisc add dev v0 root tbf rate 1mbit burst 10kb latency 1ms bogus 1
t qdisc add dev v0 root tbf rate fast burst 10kb latency 1ms
t qdisc show dev nope
t bogus
t -bogus qdisc
ip -n a link show v0
ip -n a link show ifb0
