# ip6tables (1.8.9, nf_tables) on the model's IPv6 tables: the rules the CNI
# meta plugins write there (portmap's chains with [addr]:port DNAT, the
# firewall's /128 rules), how -S and ip6tables-save print them, and the
# refusals; plus iptables details those plugins meet: -C/-D naming a missing
# chain or target, unknown protocols, comments cut to 255 bytes,
# iptables-save -t of a table not yet used.  (The model has no IPv6 data path:
# these tables see no traffic.)
ip netns add a
x() { ip netns exec a ip6tables "$@" 2>&1; echo "rc=$?"; }
x -t nat -N C
x -t nat -A C -p tcp --dport 80 -s 2001:db8::2/64 -j MARK --set-xmark 0x2000/0x2000
x -t nat -A C -p tcp --dport 80 -d 2001:db8:a::1 -j DNAT --to-destination [2001:db8::2]:80
x -t nat -A C -p udp -j DNAT --to-destination 2001:db8::2
x -t nat -A C -p udp -j DNAT --to-destination [2001:db8::2]
x -t nat -A C -s ::/0 -d ::1/128 -p udp -j DNAT --to-destination 2001:db8::2
x -t nat -A C -s fd00::/ffff:ff00:: -j ACCEPT
x -t nat -A C -s 10.0.0.1 -j ACCEPT
x -t nat -A C -s fd00::1/129 -j ACCEPT
x -t nat -A C -p tcp -m multiport --dports 1,2 -m addrtype --dst-type LOCAL -m mark --mark 0x1 -m conntrack --ctstate NEW -j MASQUERADE
x -t nat -A POSTROUTING -m mark --mark 0x2000/0x2000 -j MASQUERADE
x -t nat -A C -p icmp -j ACCEPT
x -t nat -A C -p icmpv6 -j ACCEPT
x -t nat -A C -p 58 -j ACCEPT
x -t nat -A PREROUTING -p tcp -j DNAT --to-destination [1::2:80
x -t nat -A PREROUTING -p tcp -j DNAT --to-destination [1::x]:80
x -t nat -A PREROUTING -p tcp -j DNAT --to-destination 1::x
x -t nat -S
x -t nat -C C -p tcp --dport 80 -s 2001:db8::5/64 -j MARK --set-xmark 0x2000/0x2000
x -t nat -X C
x -t nat -S NOPE
x -t nat -D NOPE -j ACCEPT
x -t nat -D NOPE 1
x -t nat -F NOPE
x -t nat -N CNI-HOSTPORT-DNAT-VERYLONGNAMEEEEEEEEEE
x -t foo -S
x -t nat -A C -j NOPE
x -A FORWARD -d fd00::5/128 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
x -A FORWARD -s fd00::5/128 -j ACCEPT
x -V
ip netns exec a ip6tables-save | grep -v '^#'
ip netns exec a ip6tables-save -t raw | grep -v '^#'
ip netns exec a ip6tables-save -t bogus 2>&1; echo "rc=$?"
echo '# iptables'
y() { ip netns exec a iptables "$@" 2>&1; echo "rc=$?"; }
y -t nat -D NOPE -j ACCEPT
y -t nat -D NOPE 1
y -t nat -D POSTROUTING -j NOPE
y -t nat -C NOPE -j ACCEPT
y -C INPUT -j NOPE
y -C INPUT -p tcp -j NOPE
y -A INPUT -p sctpx -j ACCEPT
y -A INPUT -p "" -j ACCEPT
y -A INPUT -p 256 -j ACCEPT
y -A INPUT -p TCP --dport 80 -j ACCEPT
y -A INPUT -p 58 -j ACCEPT
y -t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3:80
y -A INPUT -m comment --comment xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -j ACCEPT
y -S INPUT
ip netns exec a iptables-save -t mangle | grep -v '^#'
ip netns exec a iptables-save -t bogus 2>&1; echo "rc=$?"
ip netns exec a iptables-save | grep -c '^\*'
