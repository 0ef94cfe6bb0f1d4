# host-device: a host device (a veth end and a macvlan here; the sandbox has
# no dummy) chosen by device, hwaddr or kernelpath is moved into the
# container under its own name, set down, given its host name as alias,
# renamed to CNI_IFNAME and set up (its addresses stay behind: the kernel
# flushes them on the move); DEL sets it down, renames it back to the alias
# and moves it home, where it stays down with the alias.  The selection
# errors, a name clash on the way in (the device stays in the container) and
# on the way out (renamed back and up again), IPAM, CHECK, DEL of a gone
# device or namespace (errors here).
ip netns add node
ip netns add pod1
ip netns add pod2
ip -n node link add hd0 type veth peer name hd0p
ip -n node link set hd0 up
ip -n node link set hd0p address 02:00:00:00:00:07
ip -n node addr add 10.70.0.9/24 dev hd0
ip -n node link add hm0 type veth peer name hm0p
ip -n node link add mv0 link hm0 type macvlan mode bridge
sleep 2  # the link watcher settles mv0 (LOWERLAYERDOWN: hm0 has no carrier) while it is here
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=$2 CNI_NETNS=/var/run/netns/$3 CNI_IFNAME=net1 CNI_PATH=/usr/lib/cni /usr/lib/cni/host-device <<< "$4"; echo " [exit $?]"; }
base='"cniVersion":"1.0.0","name":"hd","type":"host-device"'
run ADD c1 pod1 "{$base,\"device\":\"hd0\"}"
ip -n pod1 -d link
ip -n pod1 addr
ip -n node link
run CHECK c1 pod1 "{$base,\"device\":\"hd0\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/var/run/netns/pod1\"}]}}"
run CHECK c1 pod1 "{$base,\"device\":\"hd0\",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"net1\",\"mac\":\"02:00:00:00:00:99\",\"sandbox\":\"/var/run/netns/pod1\"}]}}"
run CHECK c1 pod1 "{$base,\"device\":\"hd0\"}"
run DEL c1 pod1 "{$base,\"device\":\"hd0\"}"
ip -n node -d link
ip -n node addr show hd0
run DEL c1 pod1 "{$base,\"device\":\"hd0\"}"
run DEL c1 nonexist "{$base,\"device\":\"hd0\"}"
# selection and its errors
run ADD c2 pod1 "{$base}"
run ADD c2 pod1 "{$base,\"device\":\"nope\"}"
run ADD c2 pod1 "{$base,\"hwaddr\":\"02:00:00:00:00:01\"}"
run ADD c2 pod1 "{$base,\"hwaddr\":\"zz\"}"
run ADD c2 pod1 "{$base,\"kernelpath\":\"/sys/class/net\"}"
run ADD c2 pod1 "{$base,\"kernelpath\":\"/sys/devices/virtual/net\"}"
run ADD c2 pod1 "{$base,\"pciBusID\":\"0000:ff:1f.7\"}"
run ADD c2 pod1 "{$base,\"device\":\"hd0\",\"runtimeConfig\":{\"deviceID\":\"0000:ff:1f.6\"}}"
run ADD c2 nonexist "{$base,\"device\":\"hd0\"}"
run ADD c2 pod1 "{$base,\"device\":\"lo\"}"
run ADD c2 pod1 "{$base,\"kernelpath\":\"/sys/devices/virtual/\"}"
ip -n pod1 -br link
# a clash on the way in: hd0p keeps its name in pod1 (down, aliased)
run ADD c3 pod1 "{$base,\"hwaddr\":\"02:00:00:00:00:07\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.70.0.0/24\"}}"
ip -n pod1 -d link
ls /var/lib/cni/networks/hd 2>&1
# a clash on the way out: a new hd0 at home; net1 is renamed back and set up again
ip -n node link add hd0 type veth peer name hd9
run DEL c2 pod1 "{$base,\"kernelpath\":\"/sys/devices/virtual\"}"
ip -n pod1 -br link
ip -n node link del hd0
run DEL c2 pod1 "{$base,\"kernelpath\":\"/sys/devices/virtual\"}"
ip -n pod1 link del hd0p
# IPAM, a macvlan as the device, an old result version
run ADD c4 pod2 "{\"cniVersion\":\"0.4.0\",\"name\":\"hd\",\"type\":\"host-device\",\"device\":\"mv0\",\"dns\":{\"domain\":\"x\"},\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.71.0.0/24\",\"routes\":[{\"dst\":\"10.72.0.0/16\"}]}}"
ip -n pod2 -d link
ip -n pod2 addr
ip -n pod2 route
run CHECK c4 pod2 "{\"cniVersion\":\"0.4.0\",\"name\":\"hd\",\"type\":\"host-device\",\"device\":\"mv0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.71.0.0/24\",\"routes\":[{\"dst\":\"10.72.0.0/16\"}]},\"prevResult\":{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/var/run/netns/pod2\"}],\"ips\":[{\"version\":\"4\",\"interface\":0,\"address\":\"10.71.0.2/24\"}],\"routes\":[{\"dst\":\"10.72.0.0/16\"}]}}"
run CHECK c4 pod2 "{\"cniVersion\":\"0.4.0\",\"name\":\"hd\",\"type\":\"host-device\",\"device\":\"mv0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.71.0.0/24\"},\"prevResult\":{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"net1\",\"sandbox\":\"/var/run/netns/pod2\"}],\"ips\":[{\"version\":\"4\",\"interface\":0,\"address\":\"10.71.0.3/24\"}]}}"
run DEL c4 pod2 "{\"cniVersion\":\"0.4.0\",\"name\":\"hd\",\"type\":\"host-device\",\"device\":\"mv0\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.71.0.0/24\"}}"
ip -n node -d link show mv0
ls /var/lib/cni/networks/hd
