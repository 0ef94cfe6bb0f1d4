# portmap with a dual-stack prevResult (written by hand: the model's bridge and
# ptp make no IPv6 addresses): the IPv6 chains in ip6tables ([addr]:port DNAT,
# no localhost rule, conditionsV6 on the entry rules), each hostIP only in its
# own family; CHECK of the IPv4 chain fails in ip6tables; DEL in both; with
# snat off and markMasqBit 5 no mark rules, and CHECK names the rule it misses.
ip netns add node
ip netns add pod1
prev='{"cniVersion":"1.0.0","interfaces":[{"name":"veth1"},{"name":"eth0","sandbox":"/var/run/netns/pod1"}],"ips":[{"interface":1,"address":"fd00:50::2/64","gateway":"fd00:50::1"},{"interface":1,"address":"10.50.0.2/24"}]}'
pm='{"cniVersion":"1.0.0","name":"v6net","type":"portmap","conditionsV6":["-d","fd00::/8"],"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"fd00:50::1"},{"hostPort":5354,"containerPort":54,"protocol":"udp","hostIP":"10.1.1.1"}]},"prevResult":'"$prev"'}'
c() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/portmap <<< "$pm" > /dev/null; echo "$1 [exit $?]"; }
c ADD
ip netns exec node ip6tables -t nat -S
ip netns exec node iptables -t nat -S
c CHECK
c DEL
ip netns exec node ip6tables -t nat -S
pm2='{"cniVersion":"1.0.0","name":"v6net","type":"portmap","snat":false,"markMasqBit":5,"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},"prevResult":'"$prev"'}'
ip netns exec node env CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/portmap <<< "$pm2" > /dev/null; echo "[exit $?]"
ip netns exec node env CNI_COMMAND=CHECK CNI_CONTAINERID=c2 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/portmap <<< "$pm2"; echo "[exit $?]"
ip netns exec node ip6tables-save | grep -v '^#'
