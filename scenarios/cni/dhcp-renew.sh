# dhcp IPAM: the daemon renews at T1 (dnsmasq's 2 min lease sends T1 = 60 s,
# T2 = 105 s).  The renewal is a REQUEST from 0.0.0.0 to 255.255.255.255 with
# ciaddr, options 50 and 54 (d2g/dhcp4client's RenewalRequestPacket); dnsmasq
# takes it as SELECTING and answers ciaddr by unicast, through the routing
# table (ARP, and an ICMP port unreachable back: nothing listens on UDP 68, the
# client reads through a packet socket).  The snapshot comes 8 s after the
# renewal, when the neighbour entries it used (DELAY for 5 s, then a probe)
# are REACHABLE again, not on that boundary.  Runs about 70 s on the kernel.
mkdir -p /var/lib/misc
ip netns add node
ip netns add pod1
ip netns add srv
ip -n node link add cni0 type bridge
ip -n node link set cni0 up
ip -n node link add srv0 type veth peer name eth0 netns srv
ip -n node link set srv0 master cni0 up
ip -n srv addr add 10.22.0.1/24 dev eth0
ip -n srv link set eth0 up
ip netns exec srv dnsmasq --conf-file=/dev/null --port=0 --user=root --group= --pid-file= --no-ping --dhcp-range=10.22.0.10,10.22.0.50,2m --dhcp-leasefile=/var/lib/misc/dnsmasq.leases
/usr/lib/cni/dhcp daemon -socketpath /var/lib/cni/dhcp.sock > /var/lib/dhcp.log 2>&1 &
sleep 1
conf='{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","ipam":{"type":"dhcp","daemonSocketPath":"/var/lib/cni/dhcp.sock"}}'
ip netns exec node env CNI_COMMAND=ADD CNI_CONTAINERID=ctr1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=MAC=02:00:00:00:00:11 /usr/lib/cni/bridge <<< "$conf" > /dev/null
echo "ADD [exit $?]"
sleep 30
while read -r day time msg; do echo "$msg"; done < /var/lib/dhcp.log | grep -v 'retrying in\|expiration is'
echo "-- 30 s later"
sleep 38
while read -r day time msg; do echo "$msg"; done < /var/lib/dhcp.log | grep -o '.* lease renewed\|.* renewing lease'
ip -n pod1 -br addr show eth0
while read -r expiry rest; do echo "$rest"; done < /var/lib/misc/dnsmasq.leases
