# bridge + dhcp IPAM (plugins/ipam/dhcp v1.1.1) with its daemon and dnsmasq 2.90
# serving 10.22.0.10-50 on the bridge.  The container veth starts down, so the
# daemon's first try fails ("network is down": the packet socket was bound to a
# down link) and the second, 2 s +- 1 s later, gets the lease after dnsmasq's
# 3 s ping check; addresses follow dnsmasq's hash of the (pinned) MACs.  pod2
# asks for option 121, whose routes replace the default route, and provides
# its host name (option 12 from CNI_ARGS K8S_POD_NAME, in dnsmasq's lease file).  CHECK acquires
# a second lease; bridge DEL deletes eth0 before IPAM DEL, so DHCPRELEASE fails
# (no such device) and the lease stays; a DEL of the dhcp plugin alone releases.
# Socket and lease file live under /var/lib (a tmpfs on the kernel).
mkdir -p /var/lib/misc
ip netns add node
ip netns add pod1
ip netns add pod2
ip netns add srv
ip -n node link add cni0 type bridge
ip -n node link set cni0 up
ip -n node link add srv0 type veth peer name eth0 netns srv
ip -n node link set srv0 master cni0 up
ip -n srv addr add 10.22.0.1/24 dev eth0
ip -n srv link set eth0 up
ip netns exec srv dnsmasq --conf-file=/dev/null --port=0 --user=root --group= --pid-file= --interface=eth0 --dhcp-range=10.22.0.10,10.22.0.50,255.255.255.0,2m --dhcp-leasefile=/var/lib/misc/dnsmasq.leases --dhcp-option=121,10.99.0.0/16,10.22.0.254
echo "dnsmasq [exit $?]"
ip netns exec srv dnsmasq --conf-file=/dev/null --port=0 --user=root --group= --pid-file= --dhcp-range=10.22.0.10,10.22.0.50 --dhcp-leasefile=/var/lib/misc/other.leases 2>&1
echo "second dnsmasq [exit $?]"
/usr/lib/cni/dhcp daemon -socketpath /var/lib/cni/dhcp.sock > /var/lib/dhcp.log 2>&1 &
sleep 1
ls /var/lib/cni
ipam='"type":"dhcp","daemonSocketPath":"/var/lib/cni/dhcp.sock"'
conf1='{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","ipam":{'$ipam'}}'
conf2='{"cniVersion":"0.4.0","name":"mynet","type":"bridge","bridge":"cni0","ipam":{'$ipam',"request":[{"option":"121"}],"provide":[{"option":"host-name","fromArg":"K8S_POD_NAME"}]}}'
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni CNI_ARGS=$4 /usr/lib/cni/$5 <<< "$6"; echo " [exit $?]"; }
run ADD ctr1 pod1 MAC=02:00:00:00:00:11 bridge "$conf1"
run ADD ctr2 pod2 "IgnoreUnknown=1;K8S_POD_NAME=web;MAC=02:00:00:00:00:22" bridge "$conf2"
ip -n pod1 addr show eth0
ip -n pod1 route
ip -n pod2 route
run CHECK ctr2 pod2 "" dhcp "$conf2"
while read -r expiry rest; do echo "$rest"; done < /var/lib/misc/dnsmasq.leases
run DEL ctr2 pod2 "" bridge "$conf2"
run DEL ctr1 pod1 "" dhcp "$conf1"
sleep 1
while read -r expiry rest; do echo "$rest"; done < /var/lib/misc/dnsmasq.leases
ip -n pod1 -br link show eth0
while read -r day time msg; do echo "$msg"; done < /var/lib/dhcp.log | grep -v 'retrying in\|expiration is'
nosock='{"cniVersion":"1.0.0","name":"mynet","type":"bridge","bridge":"cni0","ipam":{"type":"dhcp","daemonSocketPath":"/var/lib/cni/none.sock"}}'
run ADD ctr3 pod2 "" dhcp "$nosock"
