# The chain of cni.md T5 without tuning and bandwidth: ptp -> portmap ->
# firewall, run as libcni runs a conflist (each plugin gets the previous
# result; CHECK and DEL get the final one, DEL in reverse order, then again
# without prevResult).  tcp 8080->80 and udp 5353->53 on hostIP 10.50.0.1 (the
# gateway address on the host veth); UDP datagrams reach the pod from another
# host, from the node and from the pod itself (hairpin through the same veth,
# masqueraded by mark).  Veth names and MACs are random (masked).
ip netns add node
ip netns add pod1
ip netns add ext
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.0.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.0.2/24 dev eth0
ip -n ext link set eth0 up
ip -n ext route add 10.50.0.0/24 via 192.168.0.1
head='"cniVersion":"1.0.0","name":"chainnet"'
ptp() { echo '{'$head',"type":"ptp","ipMasq":true,"ipam":{"type":"host-local","subnet":"10.50.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}'"$1"'}'; }
rc='"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"10.50.0.1"}]}'
pm() { echo '{'$head',"type":"portmap","capabilities":{"portMappings":true},'"$rc$1"'}'; }
fw() { echo '{'$head',"type":"firewall","backend":"iptables"'"$1"'}'; }
cni() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/$2; }
r=$(cni ADD ptp <<< "$(ptp '')"); echo "ptp ADD [exit $?]"
r=$(cni ADD portmap <<< "$(pm ',"prevResult":'"$r")"); echo "portmap ADD [exit $?]"
r=$(cni ADD firewall <<< "$(fw ',"prevResult":'"$r")"); echo "firewall ADD [exit $?]"
echo "$r"
sleep 2  # the kernel's link watcher settles
ip netns exec node iptables -t nat -S
ip netns exec node iptables -S
ip netns exec node ip6tables-save | grep -v '^#'
ip netns exec node sysctl -a 2>/dev/null | grep route_localnet | grep -v '= 0'
ip netns exec pod1 iptables -A INPUT -p udp --dport 53
send() { ip netns exec $1 bash -c "echo $1 > /dev/udp/$2/$3"; sleep 1; }
send ext 10.50.0.1 5353
send node 10.50.0.1 5353
send pod1 10.50.0.1 5353
send ext 192.168.0.1 5353
ip netns exec pod1 iptables-save -c -t filter | grep -- '-A INPUT'
ip netns exec node iptables-save -c | grep -- '-A' | grep -v -- '-A POSTROUTING'
echo '# CHECK in order: portmap checks ip6tables too (cni.md 6.5)'
for p in ptp portmap firewall; do
  case $p in
    ptp) conf=$(ptp ',"prevResult":'"$r") ;;
    portmap) conf=$(pm ',"prevResult":'"$r") ;;
    firewall) conf=$(fw ',"prevResult":'"$r") ;;
  esac
  cni CHECK $p <<< "$conf"; echo " $p CHECK [exit $?]"
done
echo '# DEL in reverse order, then again without prevResult'
cni DEL firewall <<< "$(fw ',"prevResult":'"$r")"; echo "firewall DEL [exit $?]"
cni DEL portmap <<< "$(pm ',"prevResult":'"$r")"; echo "portmap DEL [exit $?]"
cni DEL ptp <<< "$(ptp ',"prevResult":'"$r")"; echo "ptp DEL [exit $?]"
cni DEL firewall <<< "$(fw '')"; echo "firewall DEL [exit $?]"
cni DEL portmap <<< "$(pm '')"; echo "portmap DEL [exit $?]"
cni DEL ptp <<< "$(ptp '')"; echo "ptp DEL [exit $?]"
ip netns exec node iptables-save | grep -v '^#'
ip netns exec node ip6tables-save | grep -v '^#'
