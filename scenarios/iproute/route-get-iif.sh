# `ip route get DST from SRC iif DEV`: the input route a packet arriving on DEV
# would take (ip_route_input_slow() via inet_rtm_getroute()): forwarded via a
# gateway, delivered locally (dev lo), broadcast; with a rule on iif; the
# martians (EINVAL), no route (ENETUNREACH), forwarding off (EHOSTUNREACH),
# rp_filter (EINVAL), blackhole/unreachable/prohibit.
ip link add x0 type veth peer name x1
ip link add y0 type veth peer name y1
for d in x0 x1 y0 y1; do ip link set $d up; done
ip addr add 10.0.0.1/24 dev x0
ip addr add 10.1.0.1/24 dev y0
ip route add 10.9.0.0/16 via 10.1.0.2
sysctl -qw net.ipv4.ip_forward=1
ip route get 10.9.1.1 from 10.0.0.5 iif x0 2>&1; echo rc=$?
ip route get 10.1.0.7 from 10.0.0.5 iif x0
ip route get 10.0.0.1 from 10.0.0.5 iif x0
ip -j route get 10.9.1.1 from 10.0.0.5 iif x0 2>&1; echo
ip -j route get 10.0.0.1 from 10.0.0.5 iif x0 2>&1; echo
ip route get 10.9.1.1 from 10.0.0.5 iif x0 mark 7
ip -d route get 10.9.1.1 from 10.0.0.5 iif x0
ip route get 10.9.1.1 from 10.0.0.5 iif x0 oif y0
ip route get 10.0.0.255 from 10.0.0.5 iif x0
ip route get 255.255.255.255 from 10.0.0.5 iif x0
for src in 0.0.0.0 127.0.0.1 10.0.0.1 224.0.0.1; do
  ip route get 10.9.1.1 from $src iif x0 2>&1; echo "from $src: rc=$?"
done
ip route get 127.0.0.1 from 10.0.0.5 iif x0 2>&1; echo rc=$?
ip route get 8.8.8.8 from 10.0.0.5 iif x0 2>&1; echo rc=$?
ip route get 10.9.1.1 from 10.0.0.5 iif nosuch 2>&1; echo rc=$?
ip route add blackhole 10.7.0.0/16
ip route add unreachable 10.6.0.0/16
ip route add prohibit 10.5.0.0/16
for dst in 10.7.1.1 10.6.1.1 10.5.1.1; do
  ip route get $dst from 10.0.0.5 iif x0 2>&1; echo "$dst: rc=$?"
done
ip route add 10.8.0.0/16 via 10.1.0.2 table 7
ip rule add iif x0 lookup 7
ip route get 10.8.1.1 from 10.0.0.5 iif x0
ip -j route get 10.8.1.1 from 10.0.0.5 iif x0 2>&1; echo
ip route get 10.0.0.1 from 10.0.0.5 iif x0
ip route get 10.8.1.1 from 10.0.0.5 iif y0 2>&1; echo rc=$?
ip route get 10.9.1.1 from 10.1.0.9 iif x0
sysctl -qw net.ipv4.conf.all.rp_filter=1
ip route get 10.9.1.1 from 10.1.0.9 iif x0 2>&1; echo rc=$?
sysctl -qw net.ipv4.ip_forward=0
ip route get 10.9.1.1 from 10.0.0.5 iif x0 2>&1; echo rc=$?
ip route get 8.8.8.8 from 10.0.0.5 iif x0 2>&1; echo rc=$?
ip route get 10.0.0.1 from 10.0.0.5 iif x0 2>&1; echo rc=$?
