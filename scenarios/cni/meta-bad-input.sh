# portmap and firewall given bad input (cni.md T6 and more): each error JSON as
# the real binaries print it -- no prevResult, JSON type errors, markMasqBit
# range and externalSetMarkChain, port numbers, protocols iptables refuses,
# bad conditionsV4, bad prevResults (address, version), firewall versions
# below 0.4.0, unknown ingressPolicy, same-bridge, IPv6 rules; and the nat and
# filter tables they leave.
ip netns add node
ip netns add pod1
prev='{"cniVersion":"1.0.0","interfaces":[{"name":"veth1","mac":"aa:aa:aa:aa:aa:aa"},{"name":"eth0","mac":"aa:aa:aa:aa:aa:ab","sandbox":"/var/run/netns/pod1"}],"ips":[{"interface":1,"address":"10.50.0.2/24","gateway":"10.50.0.1"}],"dns":{}}'
pm() { c=ADD; [ $# -gt 1 ] && c=$2; ip netns exec node env CNI_COMMAND=$c CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/portmap <<< "$1"; echo " [exit $?]"; }
fw() { c=ADD; [ $# -gt 1 ] && c=$2; ip netns exec node env CNI_COMMAND=$c CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/firewall <<< "$1"; echo " [exit $?]"; }
M='"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap"}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap",'"$M"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","snat":"yes","prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","markMasqBit":32,"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","markMasqBit":-1,"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","markMasqBit":"x","prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","markMasqBit":5,"externalSetMarkChain":"X","prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80,"protocol":"tcp"}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":0,"protocol":"tcp"}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":"80","containerPort":8,"protocol":"tcp"}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":8,"protocol":"sctpx"}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":8}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":80,"containerPort":8,"protocol":"udp","hostIP":"bogus"}]},"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","conditionsV4":["-s","1.2.3.4/x"],'"$M"',"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","conditionsV4":"x",'"$M"',"prevResult":'"$prev"'}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap",'"$M"',"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"bad"}]}}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap",'"$M"',"prevResult":"x"}'
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap",'"$M"'}' CHECK
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","prevResult":'"$prev"'}' CHECK
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap",'"$M"'}' DEL
pm '{"cniVersion":"1.0.0","name":"n","type":"portmap","snat":1,'"$M"'}' DEL
pm '{"cniVersion":"0.3.1","name":"n","type":"portmap",'"$M"',"prevResult":'"$prev"'}'
ip netns exec node iptables-save | grep -v '^#'
ip netns exec node ip6tables-save | grep -v '^#'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall"}'
fw '{"cniVersion":"0.2.0","name":"n","type":"firewall"}'
fw '{"cniVersion":"0.3.1","name":"n","type":"firewall"}'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall"}' CHECK
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall"}' DEL
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"nft","prevResult":'"$prev"'}'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":7,"prevResult":'"$prev"'}'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","ingressPolicy":"x","prevResult":'"$prev"'}'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","ingressPolicy":"same-bridge","prevResult":'"$prev"'}'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","prevResult":'"$prev"'}' CHECK
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","prevResult":'"$prev"'}'
fw '{"cniVersion":"0.4.0","name":"n","type":"firewall","iptablesAdminChainName":"MY-ADMIN","prevResult":'"$prev"'}'
ip netns exec node iptables-save | grep -v '^#'
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","ingressPolicy":"x"}' DEL
fw '{"cniVersion":"1.0.0","name":"n","type":"firewall","backend":"iptables","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"fd00::5/64"}]}}'
ip netns exec node ip6tables-save | grep -v '^#'
