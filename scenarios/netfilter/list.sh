# iptables -L: the table layout with and without -n, -v, -x and
# --line-numbers, each match and target printed as the extensions print them.
ip netns add fw
r() { echo "\$ iptables $*"; ip netns exec fw iptables "$@" 2>&1; echo "rc=$?"; }
f() { ip netns exec fw iptables "$@"; }
f -N X
f -A FORWARD -p tcp --dport 80 -j ACCEPT
f -A FORWARD -p udp -m udp --sport 53 -s 1.2.3.4/8 -i eth0 ! -o eth1 -j DROP
f -A FORWARD -p tcp -m multiport --dports 80,443,90:95 -m comment --comment x_y -j ACCEPT
f -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
f -A FORWARD -m conntrack ! --ctstate NEW -j ACCEPT
f -A FORWARD -m state --state NEW -j ACCEPT
f -A FORWARD -m mark --mark 0x4000/0x4000 -j RETURN
f -A FORWARD -m mark --mark 5 -j RETURN
f -A FORWARD -m addrtype --dst-type LOCAL -j X
f -A FORWARD -m addrtype --src-type LOCAL,UNICAST ! --dst-type LOCAL --limit-iface-out -j X
f -A FORWARD -p icmp -j DROP
f -A FORWARD -p icmp --icmp-type echo-request -j DROP
f -A FORWARD -p icmp ! --icmp-type 3/1 -j ACCEPT
f -A FORWARD -p icmp --icmp-type any
f -A FORWARD -p tcp ! --dport 1:1024 --sport 5 -j ACCEPT
f -A FORWARD -j MARK --set-mark 5
f -A FORWARD -j MARK --set-xmark 0x2000/0x2000
f -A FORWARD -j MARK --set-xmark 0x0/0xff
f -A FORWARD -j MARK --set-xmark 0x3/0x7
f -A FORWARD ! -s 10.0.0.0/8 -d 10.1.0.1 -j ACCEPT
f -A FORWARD ! -p tcp -i eth+ -j ACCEPT
f -A FORWARD -p 47 -j ACCEPT
f -A FORWARD -j REJECT
f -A FORWARD -m comment --comment 'it"s a comment'
f -A INPUT -j X
f -P OUTPUT DROP
f -t nat -A POSTROUTING -j MASQUERADE --random-fully
f -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000 --random
f -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000 --persistent
f -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80
f -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1
r -L -n
r -L
r -L FORWARD -n -v --line-numbers
r -nvxL FORWARD
r -L INPUT -v
r -t nat -L -n
r -t nat -L -v
r -L NOPE -n
