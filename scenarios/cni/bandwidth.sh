# bandwidth chained after ptp (cni.md T5), and its shaping acting on traffic.
# pod1 gets ingress limits only (a tbf 1: root on its host veth), pod2 egress
# limits only, through the bandwidth capability's runtimeConfig (an ifb bwp<hash>
# joins the result; the host veth gets ingress ffff: with a u32 match-all filter
# whose two mirred actions redirect to the ifb; the ifb a tbf).  A burst of 30
# echo requests of 1250-byte frames from a host beyond the node: towards pod1 the
# bucket passes 10, queues 12 (the 15625-byte limit) and drops 8; from pod2 the
# replies meet the same numbers on the ifb.  Counters (sent, dropped, overlimits)
# match the kernel's; the timing is asserted against the tbf arithmetic in
# tests/unit/test_tc_tbf.py.  Then CHECK, the errors, the Go panic, DEL.
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.9.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.9.2/24 dev eth0
ip -n ext link set eth0 up
ip -n ext route add 10.52.0.0/24 via 192.168.9.1
ptp='{"cniVersion":"1.0.0","name":"bwnet","type":"ptp","ipam":{"type":"host-local","subnet":"10.52.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/$4; }
cni() { run "$@"; echo " [exit $?]"; }
prev1=$(run ADD c1 pod1 ptp <<< "$ptp" | tr -d ' \n')
prev2=$(run ADD c2 pod2 ptp <<< "$ptp" | tr -d ' \n')
veth() { echo "$1" | tr '{},' '\n\n\n' | grep '"name":"veth' | tr -d '"' | tr ':' ' ' | while read -r k v; do echo "$v"; done; }
v1=$(veth "$prev1")
v2=$(veth "$prev2")
bw1='{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1000000,"ingressBurst":100000,"prevResult":'"$prev1"'}'
bw2='{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","capabilities":{"bandwidth":true},"runtimeConfig":{"bandwidth":{"egressRate":1000000,"egressBurst":100000}},"prevResult":'"$prev2"'}'
cni ADD c1 pod1 bandwidth <<< "$bw1"
cni ADD c2 pod2 bandwidth <<< "$bw2"
sleep 2  # the link watcher settles the new veths and the ifb
ip netns exec node tc qdisc show
ip netns exec node tc -d -r qdisc show dev $v1
ip netns exec node tc filter show dev $v2 parent ffff:
ip netns exec node tc filter show dev $v2 ingress
ip netns exec node tc filter show dev $v1 parent ffff:
ip -n node -d link show bwpf5c260401a5f
ip -n node -br link
cni CHECK c1 pod1 bandwidth <<< "$bw1"
cni CHECK c2 pod2 bandwidth <<< "$bw2"
# shaping: warm up ARP, let the buckets fill, then bursts of 30 from ext
ip netns exec ext ping -c 1 -W 1 10.52.0.2 | grep transmitted
ip netns exec ext ping -c 1 -W 1 10.52.0.3 | grep transmitted
sleep 1
ip netns exec ext ping -q -c 30 -l 30 -s 1208 -W 1 10.52.0.2 | grep transmitted
ip netns exec node tc -s qdisc show dev $v1
ip netns exec ext ping -q -c 30 -l 30 -s 1208 -W 1 10.52.0.3 | grep transmitted
ip netns exec node tc -s qdisc show dev bwpf5c260401a5f
ip netns exec node tc -s qdisc show dev $v2
# errors
cni ADD c2 pod2 bandwidth <<< "$bw2"
cni ADD c1 pod1 bandwidth <<< "$bw1"
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1000000}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","egressBurst":1000000}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1,"ingressBurst":40000000000}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1000,"ingressBurst":1000}'
cni ADD c3 nope bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1000,"ingressBurst":1000,"prevResult":'"$prev1"'}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"0.2.0","name":"bwnet","type":"bandwidth"}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","prevResult":'"$prev1"'}'
cni ADD c3 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth"}' 2>&1 | head -2
cni CHECK c1 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","prevResult":'"$prev1"'}' 2>&1 | head -2
cni CHECK c1 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":2000000,"ingressBurst":100000,"prevResult":'"$prev1"'}'
cni CHECK c1 pod1 bandwidth <<< '{"cniVersion":"1.0.0","name":"bwnet","type":"bandwidth","ingressRate":1000000,"ingressBurst":200000,"prevResult":'"$prev1"'}'
cni CHECK c2 pod2 bandwidth <<< "$bw1"
# DEL: the ifb goes, the host veth keeps its qdiscs (and a mirred action aimed at nothing)
cni DEL c2 pod2 bandwidth <<< "$bw2"
cni DEL c2 pod2 bandwidth <<< "$bw2"
cni DEL c1 pod1 bandwidth <<< "$bw1"
ip netns exec node tc qdisc show
ip netns exec node tc filter show dev $v2 parent ffff:
cni DEL c2 pod2 ptp <<< "$ptp"
cni DEL c1 pod1 ptp <<< "$ptp"
ip netns exec node tc qdisc show
ip -n node -br link
