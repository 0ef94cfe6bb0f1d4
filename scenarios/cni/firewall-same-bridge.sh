# firewall with ingressPolicy "same-bridge" on two bridge networks: each adds
# its bridge to CNI-ISOLATION-STAGE-1/2 (jumped to from FORWARD before
# CNI-FORWARD), so pods on one bridge reach each other and a host beyond the
# node, but not the pods of the other bridge.  DEL leaves the isolation rules
# (other pods may share the bridge).  Veth names and MACs are random (masked).
ip netns add node
for p in a1 a2 b1 ext; do ip netns add $p; done
ip -n node link add uplink type veth peer name eth0 netns ext
ip -n node addr add 192.168.0.1/24 dev uplink
ip -n node link set uplink up
ip -n ext addr add 192.168.0.2/24 dev eth0
ip -n ext link set eth0 up
ip -n ext route add 10.70.0.0/15 via 192.168.0.1
br() { echo '{"cniVersion":"1.0.0","name":"'$1'","type":"bridge","bridge":"'$2'","isDefaultGateway":true,"ipam":{"type":"host-local","subnet":"'$3'"}}'; }
fw() { echo '{"cniVersion":"1.0.0","name":"'$1'","type":"firewall","backend":"iptables","ingressPolicy":"same-bridge","prevResult":'"$2"'}'; }
cni() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$2 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/$3; }
for p in a1 a2 b1; do
  case $p in
    b1) net=netb; conf=$(br netb cni1 10.71.0.0/24) ;;
    *) net=neta; conf=$(br neta cni0 10.70.0.0/24) ;;
  esac
  r=$(cni ADD $p bridge <<< "$conf")
  cni ADD $p firewall <<< "$(fw $net "$r")" > /dev/null; echo "$p firewall ADD [exit $?]"
done
sleep 2  # the kernel's link watcher settles
ip netns exec node iptables -S
echo '# same bridge, beyond the node, the other bridge'
ip netns exec a1 ping -c 1 -W 1 10.70.0.3 | head -2
ip netns exec a1 ping -c 1 -W 1 192.168.0.2 | head -2
ip netns exec a1 ping -c 1 -W 1 10.71.0.2 | tail -2 | head -1
ip netns exec b1 ping -c 1 -W 1 10.70.0.2 | tail -2 | head -1
ip netns exec node iptables-save -c -t filter | grep -- '-A CNI-ISOLATION'
cni DEL b1 firewall <<< "$(fw netb "$r")"; echo "DEL [exit $?]"
ip netns exec node iptables -S | grep -c "ISOLATION\|10.71.0.2"
echo '# a bridge-less prevResult'
cni ADD x firewall <<< "$(fw neta '{"cniVersion":"1.0.0","ips":[{"address":"10.70.0.9/24"}]}')"; echo " [exit $?]"
