# ip -d link: the details tail (addrgenmode, queues, GSO/TSO limits) per kind
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add br0 address 02:00:00:00:00:10 type bridge
ip link add vx0 type vxlan id 1 dstport 4789 dev v0
ip link add vx1 type vxlan id 2 dstport 4789
ip link set v1 master br0
for d in lo v0 v1 br0 vx0 vx1; do ip -d link show $d; done
ip -d -j link show
# running timers: the bridge's FDB sweep and a port's forward-delay timer (their
# values are masked by the differential test, as real time jitters)
ip link set br0 up
ip link set v0 up
ip link set v1 up
sleep 1.2
ip -d link show br0
ip -d -j link show v1
