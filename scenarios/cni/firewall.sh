# ptp + firewall (iptables backend) with FORWARD's policy DROP on the node:
# CNI-FORWARD accepts what the pod starts (-s IP) and the replies to it
# (-d IP ... RELATED,ESTABLISHED), so pod1 reaches a host beyond the node but
# that host cannot start anything towards pod1.  A second pod's network names
# its own admin chain.  CHECK finds a missing rule; DEL removes the per-IP
# rules only; an IPv6 address gets its rules in ip6tables; the errors of a
# config without prevResult or below 0.4.0.  Veth names are random (masked).
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.0.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.0.2/24 dev eth0
ip -n ext link set eth0 up
ip -n ext route add 10.60.0.0/16 via 192.168.0.1
ptp() { echo '{"cniVersion":"'$3'","name":"'$1'","type":"ptp","ipam":{"type":"host-local","subnet":"'$2'","routes":[{"dst":"0.0.0.0/0"}]}}'; }
cni() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/$4; }
res1=$(cni ADD c1 pod1 ptp <<< "$(ptp fwnet 10.60.1.0/24 1.0.0)")
res2=$(cni ADD c2 pod2 ptp <<< "$(ptp fwnet2 10.60.2.0/24 0.4.0)")
fw1='{"cniVersion":"1.0.0","name":"fwnet","type":"firewall","backend":"iptables","prevResult":'"$res1"'}'
fw2='{"cniVersion":"0.4.0","name":"fwnet2","type":"firewall","iptablesAdminChainName":"MY-ADMIN","prevResult":'"$res2"'}'
cni ADD c1 pod1 firewall <<< "$fw1" | grep -c '"address": "10.60.1.2/24"'
cni ADD c2 pod2 firewall <<< "$fw2" | grep -c '"version": "4"'
cni ADD c1 pod1 firewall <<< "$fw1" > /dev/null; echo "ADD again [exit $?]"
ip netns exec node iptables -S
ip netns exec node iptables -P FORWARD DROP
sleep 2  # the kernel's link watcher settles
echo '# pod1 and pod2 reach ext; ext cannot reach pod1'
ip netns exec pod1 ping -c 1 -W 1 192.168.0.2 | head -2
ip netns exec pod2 ping -c 1 -W 1 192.168.0.2 | head -2
ip netns exec ext ping -c 1 -W 1 10.60.1.2 | tail -2 | head -1
ip netns exec node iptables-save -c -t filter | grep -v '^#'
echo '# CHECK, then with a rule gone'
cni CHECK c1 pod1 firewall <<< "$fw1"; echo "CHECK [exit $?]"
ip netns exec node iptables -D CNI-FORWARD -s 10.60.1.2/32 -j ACCEPT
cni CHECK c1 pod1 firewall <<< "$fw1"; echo " [exit $?]"
cni DEL c1 pod1 firewall <<< "$fw1"; echo "DEL [exit $?]"
cni DEL c2 pod2 firewall <<< "$fw2"; echo "DEL [exit $?]"
cni DEL c2 pod2 firewall <<< '{"cniVersion":"1.0.0","name":"fwnet2","type":"firewall"}'; echo "DEL without prevResult [exit $?]"
cni CHECK c2 pod2 firewall <<< "$fw2"; echo " [exit $?]"
ip netns exec node iptables -S
echo '# an IPv6 address: ip6tables'
v6='{"cniVersion":"1.0.0","name":"v6","type":"firewall","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"fd00:60::2/64"},{"address":"10.60.3.2/24"}]}}'
cni ADD c3 pod1 firewall <<< "$v6" > /dev/null; echo "ADD [exit $?]"
ip netns exec node ip6tables -S
cni DEL c3 pod1 firewall <<< "$v6"; echo "DEL [exit $?]"
ip netns exec node ip6tables-save | grep -v '^#'
echo '# errors'
cni ADD c4 pod1 firewall <<< '{"cniVersion":"1.0.0","name":"fwnet","type":"firewall"}'; echo " [exit $?]"
cni CHECK c4 pod1 firewall <<< '{"cniVersion":"1.0.0","name":"fwnet","type":"firewall"}'; echo " [exit $?]"
cni ADD c4 pod1 firewall <<< '{"cniVersion":"0.2.0","name":"fwnet","type":"firewall"}'; echo " [exit $?]"
out=$(cni ADD c4 pod1 firewall <<< '{"cniVersion":"1.0.0","name":"fwnet","type":"firewall","ingressPolicy":"closed","prevResult":'"$res1"'}'); echo "[exit $?]"
echo "$out" | tail -2
