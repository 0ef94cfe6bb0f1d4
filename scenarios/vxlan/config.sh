# ip link add/set ... type vxlan: defaults, MTU from the lower device, the
# options ip -d shows, and the errors of iproute2 and the kernel.
ip link add u1 address 02:00:00:00:50:01 type veth peer name u2 address 02:00:00:00:50:02
ip link add vxtest type vxlan id 42 2>&1
ip -d link show vxtest | grep -o 'mtu [0-9]*\|vxlan id.*noudp6zerocsumrx'
ip link del vxtest
ip link add vxtest type vxlan id 42 dev u1 dstport 0
ip -d link show vxtest | grep -o 'mtu [0-9]*\|vxlan id.*noudp6zerocsumrx'
ip link set vxtest mtu 1451 2>&1; echo "rc $?"
ip link set vxtest mtu 1400; ip link show vxtest | grep -o 'mtu [0-9]*'
ip link del vxtest
ip link add vxtest type vxlan id 42 dstport 4789 local 192.168.50.1 ttl 10 tos inherit nolearning proxy l2miss l3miss
ip -d link show vxtest | grep -o 'vxlan id.*noudp6zerocsumrx'
ip -j -d link show vxtest | grep -o '"info_data":{[^}]*}[^}]*}'
ip link set vxtest mtu 9000; ip link show vxtest | grep -o 'mtu [0-9]*'
ip link del vxtest
ip link add vx2 type vxlan id 43 dstport 0 remote 10.0.0.2 dev u1 srcport 1000 2000 noudpcsum tos 0x10 ttl inherit ageing 0
ip -d link show vx2 | grep -o 'vxlan id.*noudp6zerocsumrx'
ip -j -d link show vx2 | grep -o '"info_data":{[^}]*}[^}]*}'
bridge fdb show dev vx2
bridge -j fdb show dev vx2
ip link add vx3 type vxlan id 44 dstport 4789 group 239.1.1.1 dev u1
bridge fdb show dev vx3
ip -d link show vx3 | grep -o 'vxlan id.*noudp6zerocsumrx'
# errors
ip link add vxa type vxlan id 7 dstport 4789
ip link add vxb type vxlan id 7 dstport 4789 2>&1; echo "rc $?"
ip link add vxb type vxlan id 7 dstport 8472; echo "rc $?"
ip link add vxc type vxlan id 16777216 dstport 4789 2>&1; echo "rc $?"
ip link add vxc type vxlan id abc dstport 4789 2>&1; echo "rc $?"
ip link add vxc type vxlan dstport 4789 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 group 239.1.1.1 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 remote 239.1.1.1 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 group 10.1.1.1 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 remote 10.0.0.1 group 239.1.1.1 dev u1 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 dev nosuch 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 local foo 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 70000 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 ttl 300 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 srcport 2000 1000 2>&1; echo "rc $?"
ip link add vxc type vxlan id 45 dstport 4789 bogus 2>&1 | head -1; echo "rc $?"
ip link add vxc type vxlan vni 45 port 4789 2>&1; echo "rc $?"
ip -br link
# ip link set ... type vxlan: some things change, some cannot
ip link set vxa type vxlan l2miss 2>&1; echo "rc $?"
ip link set vxa type vxlan noudpcsum 2>&1; echo "rc $?"
ip link set vxa type vxlan id 8 2>&1; echo "rc $?"
ip link set vxa type vxlan dstport 4790 2>&1; echo "rc $?"
ip link set vxa type vxlan remote 10.0.0.9 ttl 20 ageing 100 tos 0x20 nolearning; echo "rc $?"
ip link set vxa type vxlan dev u1
ip -d link show vxa | grep -o 'vxlan id.*noudp6zerocsumrx'
bridge fdb show dev vxa
ip link set vxa type vxlan remote 10.0.0.10
bridge fdb show dev vxa
ip link set u1 type vxlan ttl 3 2>&1; echo "rc $?"
# the lower device takes its VTEPs with it
ip link del u1
ip -br link
