# iptables rule management on the nf_tables backend: -N/-A/-I/-D/-C/-X/-F/-P,
# the canonical order -S prints options in, iptables-save, and the messages
# and exit statuses of refused commands.
ip netns add fw
r() { echo "\$ iptables $*"; ip netns exec fw iptables "$@" 2>&1; echo "rc=$?"; }
r -t nat -S
r -t nat -N CNI-5145007e2a8415ce07579739
r -t nat -N CNI-5145007e2a8415ce07579739
r -t nat -A POSTROUTING -s 10.22.0.2 -j CNI-5145007e2a8415ce07579739 -m comment --comment 'name: "mynet" id: "ctr1"' --wait
r -t nat -A CNI-5145007e2a8415ce07579739 -d 10.22.0.0/24 -j ACCEPT -m comment --comment 'name: "mynet" id: "ctr1"'
r -t nat -A CNI-5145007e2a8415ce07579739 ! -d 224.0.0.0/4 -j MASQUERADE -m comment --comment 'name: "mynet" id: "ctr1"'
r -t nat -S
r -t nat -C POSTROUTING -s 10.22.0.2 -j CNI-5145007e2a8415ce07579739 -m comment --comment 'name: "mynet" id: "ctr1"'
r -t nat -C POSTROUTING -s 10.22.0.2 -j CNI-5145007e2a8415ce07579739
r -t nat -D POSTROUTING -s 10.22.0.9 -j CNI-5145007e2a8415ce07579739
r -t nat -D POSTROUTING -s 10.22.0.9 -j NOPE
r -t nat -X CNI-5145007e2a8415ce07579739
r -t nat -X NOPE
r -t nat -F NOPE
r -t nat -S NOPE
r -t nat -S POSTROUTING
r -t nat -D POSTROUTING 5
r -t nat -D POSTROUTING 1
r -t nat -F CNI-5145007e2a8415ce07579739
r -t nat -X CNI-5145007e2a8415ce07579739
r -t foo -S
r -P FORWARD DROP
r -P NOPE DROP
r -t nat -P POSTROUTING DROP
r -N X
r -N X
r -N Z
r -N A
r -N -foo
r -N 123456789012345678901234567890
r -P X ACCEPT
r -A NOPE -j ACCEPT
r -C NOPE -j ACCEPT
r -X INPUT
r -A FORWARD -p tcp --dport 80 -j ACCEPT
r -A FORWARD -p udp -m udp --sport 53 -s 1.2.3.4/8 -i eth0 ! -o eth1 -j DROP
r -A FORWARD -p tcp -m multiport --dports 80,443 -m comment --comment "x y" -j ACCEPT
r -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
r -A FORWARD -m state --state NEW -j ACCEPT
r -A FORWARD -m mark --mark 0x4000/0x4000 -j RETURN
r -A FORWARD -m mark --mark 5 -j RETURN
r -A FORWARD -m addrtype --dst-type LOCAL -j X
r -A FORWARD -m addrtype --src-type LOCAL,UNICAST ! --dst-type LOCAL -j X
r -A FORWARD -p icmp -j DROP
r -A FORWARD -p icmp --icmp-type echo-request -j DROP
r -A FORWARD -p icmp --icmp-type 3/1 -j ACCEPT
r -A FORWARD -p tcp ! --dport 1:1024 --sport 5 -j ACCEPT
r -A FORWARD -j MARK --set-mark 5
r -A FORWARD -j MARK --set-xmark 0x2000/0x2000
r -A FORWARD ! -s 10.0.0.0/8 -d 10.1.0.0/16 -j ACCEPT
r -A FORWARD -s 10.0.0.1,10.0.0.2 -m comment --comment foo -j ACCEPT
r -A FORWARD -s 10.0.0.1/255.255.0.0 -p 47 -j ACCEPT
r -A FORWARD ! -p tcp -i eth+ -j ACCEPT
r -A FORWARD -m comment --comment 'it"s' -j ACCEPT
r -A FORWARD -j NOPE
r -A FORWARD -j MASQUERADE
r -A FORWARD --dport 80 -j ACCEPT
r -A FORWARD -m multiport --dports 80 -j ACCEPT
r -A FORWARD -j
r -A FORWARD -m nosuch
r -A FORWARD -s 300.1.1.1 -j ACCEPT
r -A FORWARD foo
r -I FORWARD 2 -j ACCEPT
r -I FORWARD 99 -j ACCEPT
r -I FORWARD 0 -j ACCEPT
r -D FORWARD 0
r -D FORWARD 99
r -S FORWARD 3
r -S FORWARD 99
r -S
r -F FORWARD
r -X
r -X X
r -S
r -t nat -A POSTROUTING -j MASQUERADE --random-fully
r -t nat -A POSTROUTING -o eth0 -j MASQUERADE --to-ports 1000-2000
r -t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4
r -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:1000-2000
r -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80
r -t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1:80
r -t nat -A PREROUTING -j DNAT --to 10.0.0.1
r -t nat -A PREROUTING -j DNAT
r -t nat -A PREROUTING -j SNAT --to-source 1.1.1.1
r -t nat -A INPUT -j DNAT --to-destination 1.1.1.1
r -t nat -A POSTROUTING -j DROP
r -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j MARK --set-xmark 0x2000/0x2000
r -t nat -S
echo '$ iptables-save'
ip netns exec fw iptables-save
