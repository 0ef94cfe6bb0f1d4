# ip link set/add address parsing (ll_addr_a2n's failing part, the length check of
# ip link set, the kernel's EINVAL on add) and ip rule's keyword matching (prio,
# order, tab; fwmark MARK/MASK in any base) as iproute2 6.1 has them.
ip link add v0 type veth peer name v1
ip link set v0 address aa:bb 2>&1; echo $?
ip link set v0 address aa:bb:cc:dd:ee:ff:11 2>&1; echo $?
ip link set v0 address 1.2.3.4 2>&1; echo $?
ip link set v0 address zz:zz 2>&1; echo $?
ip link set v0 address aa:zz:cc:dd:ee:ff 2>&1; echo $?
ip link set v0 address 03:00:00:00:00:01 2>&1; echo $?
ip link add v2 address aa:bb type veth peer name v3 2>&1; echo $?
ip rule add prio 100 from 10.0.0.0/8 fwmark 0x10/0xff lookup 7 2>&1; echo $?
ip rule add pref 101 fwmark zz table 7 2>&1; echo $?
ip rule add pref 102 fwmark 1/q table 7 2>&1; echo $?
ip rule add order 103 fwmark 010 tab 7 2>&1; echo $?
ip rule
