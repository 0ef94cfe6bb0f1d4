# kernel-skip: the sandbox kernel has no 8021q module (CONFIG_VLAN_8021Q); the expected output is pinned by tests/unit/test_cni_vlan.py from vlan.go and net/8021q
# vlan: an 802.1Q device on the master, made under a random vethXXXXXXXX name
# straight in the container, renamed to CNI_IFNAME (the master's MAC, interface
# 0); ipam required ("no plugin name provided" without, the device left
# behind); the VLAN ID and MTU checks, one device per ID on a master; CHECK with
# its tuning-plugin wording; DEL runs IPAM DEL always.
ip netns add node
for p in pod1 pod2 pod3; do ip netns add $p; done
ip -n node link add eth0 address 02:00:00:00:0f:01 type veth peer name eth0p
ip -n node link add eth9 type veth peer name eth9p
ip -n node link set eth0 up
ip -n node link set eth0p up
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni /usr/lib/cni/vlan <<< "$4"; echo " [exit $?]"; }
base='"cniVersion":"1.0.0","name":"vl","type":"vlan"'
ipam='"ipam":{"type":"host-local","subnet":"10.90.0.0/24"}'
run ADD c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,\"mtu\":1400,$ipam}"
ip -n pod1 -d link
ip -n pod1 addr
ip -n pod1 route
prev='"prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"eth1","mac":"02:00:00:00:0f:01","sandbox":"/var/run/netns/pod1"}],"ips":[{"interface":0,"address":"10.90.0.2/24","gateway":"10.90.0.1"}]}'
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,\"mtu\":1400,$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":101,$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,\"mtu\":1300,$ipam,$prev}"
run CHECK c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,$ipam}"
# errors
run ADD c2 pod2 "{$base,\"vlanId\":100,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":4095,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":-1,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":\"x\",$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"nope\",\"vlanId\":100,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":100,\"mtu\":9000,$ipam}"
run ADD c2 nonexist "{$base,\"master\":\"eth0\",\"vlanId\":200,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":100,$ipam}"
run ADD c2 pod2 "{$base,\"master\":\"eth0\",\"vlanId\":200}"
ip -n pod2 -br link
run ADD c2 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":300,$ipam}"
ip -n pod1 -br link
run ADD c3 pod3 "{$base,\"master\":\"eth9\",\"vlanId\":0,$ipam}"
ip -n pod3 -br link
ls /var/lib/cni/networks/vl
# DEL: IPAM DEL (always), then the link
run DEL c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,$ipam}"
run DEL c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100,$ipam}"
run DEL c1 pod1 "{$base,\"master\":\"eth0\",\"vlanId\":100}"
run DEL c1 nonexist "{$base,\"master\":\"eth0\",\"vlanId\":100,$ipam}"
ip -n pod1 -br link
ls /var/lib/cni/networks/vl
