# bridge + portmap (cni.md T5's portmap rules on a bridge network): hostPorts
# DNATed to pod1, reached with UDP datagrams (bash's /dev/udp) from another
# host, from the node to its own address and to 127.0.0.1 (route_localnet on
# cni0, masqueraded by mark 0x2000), from pod1 to its own node (hairpin) and
# from pod2.  pod1 counts what arrives by source address; the node's nat
# counters show which rules each flow took (its POSTROUTING jumps also count
# the kernel's own IGMP reports, which the model does not send: left out).
# CHECK fails on ip6tables as the real plugin does; DEL leaves the shared
# chains.  Veth names are random (masked).
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add ext
ip -n node link set lo up
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.0.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.0.2/24 dev eth0
ip -n ext link set eth0 up
br='{"cniVersion":"1.0.0","name":"pmnet","type":"bridge","bridge":"cni0","isGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","subnet":"10.22.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}'
maps='[{"hostPort":5353,"containerPort":53,"protocol":"udp"},{"hostPort":5354,"containerPort":54,"protocol":"udp","hostIP":"192.168.0.1"},{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]'
cni() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/$4; }
res1=$(cni ADD c1 pod1 bridge <<< "$br")
cni ADD c2 pod2 bridge <<< "$br" > /dev/null
pm='{"cniVersion":"1.0.0","name":"pmnet","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":'"$maps"'},"prevResult":'"$res1"'}'
cni ADD c1 pod1 portmap <<< "$pm" | grep -c '"address": "10.22.0.2/24"'
sleep 2  # the kernel's link watcher settles
ip netns exec node iptables -t nat -S
ip netns exec node sysctl net.ipv4.conf.cni0.route_localnet
for s in 192.168.0.2 192.168.0.1 10.22.0.1 10.22.0.3; do
  ip netns exec pod1 iptables -A INPUT -s $s -p udp
done
send() { ip netns exec $1 bash -c "echo $1 > /dev/udp/$2/$3"; sleep 1; }
echo '# from another host, to both hostPorts and to a port nobody maps'
send ext 192.168.0.1 5353
send ext 192.168.0.1 5354
send ext 192.168.0.1 5355
echo '# from the node to its own address and to 127.0.0.1'
send node 192.168.0.1 5353
send node 127.0.0.1 5353
echo '# hairpin: pod1 to its own node; then pod2'
send pod1 192.168.0.1 5353
send pod2 192.168.0.1 5353
ip netns exec pod1 iptables-save -c -t filter | grep -- '-A INPUT'
ip netns exec node iptables-save -c -t nat | grep -- '-A' | grep -v -- '-A POSTROUTING'
echo '# CHECK: ip6tables has no such chain (cni.md 6.5)'
cni CHECK c1 pod1 portmap <<< "$pm"; echo " [exit $?]"
cni DEL c1 pod1 portmap <<< "$pm"; echo "DEL [exit $?]"
cni DEL c1 pod1 portmap <<< "$pm"; echo "DEL again [exit $?]"
ip netns exec node iptables -t nat -S
ip netns exec node ip6tables-save | grep -v '^#'
send ext 192.168.0.1 5353
ip netns exec pod1 iptables-save -c -t filter | grep -- '-s 192.168.0.2'
