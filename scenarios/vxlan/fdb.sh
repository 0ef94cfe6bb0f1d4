# A VTEP's own FDB (bridge fdb ... dev VXLAN dst IP): newest entry first, a
# MAC's remotes in the order added, port/vni/via shown only where they differ
# from the device's, and add/append/replace/del as vxlan_fdb_update does them.
ip link add u1 address 02:00:00:00:50:01 type veth peer name u2 address 02:00:00:00:50:02
ip link add vx0 address 02:00:00:00:0a:01 type vxlan id 100 dstport 4789 local 192.168.50.1 dev u1 maxaddress 12
for m in 02:00:00:00:00:01 02:00:00:00:00:05 02:00:00:00:00:03 00:00:00:00:00:00 aa:00:00:00:00:02; do
  bridge fdb add $m dev vx0 dst 192.168.50.9
done
bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.50.10
bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.168.50.10; echo "append again: rc $?"
bridge fdb append 02:00:00:00:00:01 dev vx0 dst 192.168.50.10; echo "append to unicast: rc $?"
bridge fdb add 02:00:00:00:00:01 dev vx0 dst 192.168.50.11 2>&1; echo "add again: rc $?"
bridge fdb add 02:00:00:00:00:07 dev vx0 dst 192.168.50.11 port 4790 vni 7 via u1 static
bridge fdb add 02:00:00:00:00:08 dev vx0 dst 192.168.50.11 port 4789 vni 100 dynamic
bridge fdb add 02:00:00:00:00:09 dev vx0 dst 192.168.50.12 self master; echo "self master: rc $?"
bridge fdb add 02:00:00:00:00:0a dev vx0 dst 192.168.50.12 master 2>&1; echo "master: rc $?"
bridge fdb add 02:00:00:00:00:0b dev vx0 2>&1; echo "no dst: rc $?"
bridge fdb add 02:00:00:00:00:0b dev vx0 dst 192.168.50.12 via nosuch 2>&1; echo "via nosuch: rc $?"
bridge fdb add 02:00:00:00:00:0b dev vx0 dst 192.168.50.12 vni 16777216 2>&1; echo "bad vni: rc $?"
bridge fdb show
bridge -j fdb show dev vx0
bridge -s fdb show dev vx0 | head -3
bridge fdb replace 02:00:00:00:00:05 dev vx0 dst 192.168.50.20; echo "replace: rc $?"
bridge fdb replace 02:00:00:00:00:0c dev vx0 dst 192.168.50.20; echo "replace new: rc $?"
bridge fdb replace 00:00:00:00:00:00 dev vx0 dst 192.168.50.21 2>&1; echo "replace zero: rc $?"
bridge fdb add 02:00:00:00:00:0d dev vx0 dst 192.168.50.22 2>&1; echo "over maxaddress: rc $?"
bridge fdb del 00:00:00:00:00:00 dev vx0 dst 192.168.50.10; echo "del one dst: rc $?"
bridge fdb del 02:00:00:00:00:33 dev vx0 2>&1; echo "del missing: rc $?"
bridge fdb del 02:00:00:00:00:03 dev vx0 dst 192.168.50.77; echo "del other dst: rc $?"
bridge fdb del 02:00:00:00:00:07 dev vx0 dst 192.168.50.11; echo "del without port/vni/via: rc $?"
bridge fdb del 02:00:00:00:00:07 dev vx0 dst 192.168.50.11 port 4790 vni 7 via u1; echo "del exact: rc $?"
bridge fdb del 02:00:00:00:00:01 dev vx0; echo "del whole entry: rc $?"
bridge fdb show dev vx0
# down: learned and dynamic entries go, permanent and static stay
ip link set vx0 up
ip link set vx0 down
bridge fdb show dev vx0
