# tuning chained after ptp (cni.md T5): sysctls written in the pod (IFNAME in a
# key replaced by CNI_IFNAME), the old MAC/promisc/MTU/allmulti saved to
# <dataDir>/<id>_<ifname>.json (1-space indent), then changed; the result keeps
# ptp's with eth0's new MAC.  CHECK does not substitute IFNAME (the v1.1.1 bug);
# DEL restores MAC, MTU, promisc and allmulticast and removes the backup, but
# leaves the sysctls.  Errors: no prevResult, a key outside net.*, a missing or
# read-only sysctl, a bad value, a bad or multicast MAC, an MTU too big, CNI_ARGS.
# Every backup goes under /var/lib, a tmpfs in the kernel sandbox.
ip netns add node
ip netns add pod1
ptp='{"cniVersion":"1.0.0","name":"tnet","type":"ptp","ipam":{"type":"host-local","subnet":"10.51.0.0/24"}}'
IF=eth0
ARGS=
run() { ip netns exec node env CNI_COMMAND=$1 CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod1 CNI_IFNAME=$IF CNI_PATH=/usr/lib/cni CNI_ARGS=$ARGS /usr/lib/cni/$2; }
cni() { run "$@"; echo " [exit $?]"; }
prev=$(run ADD ptp <<< "$ptp" | tr -d ' \n')
t='{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","mtu":1300,"promisc":true,"allmulti":true,"mac":"02:11:22:33:44:55","sysctl":{"net.ipv4.conf.IFNAME.rp_filter":"2","net.ipv4.conf.all.arp_ignore":"1"},"prevResult":'"$prev"'}'
cni ADD tuning <<< "$t"
ip -n pod1 link show eth0
ip netns exec pod1 sysctl net.ipv4.conf.eth0.rp_filter net.ipv4.conf.all.arp_ignore
ls /var/lib/cni/tuning
cat /var/lib/cni/tuning/c1_eth0.json; echo
cni CHECK tuning <<< "$t"
t2='{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","mtu":1300,"promisc":true,"allmulti":true,"mac":"02:11:22:33:44:55","sysctl":{"net.ipv4.conf.all.arp_ignore":"1"},"prevResult":'"$prev"'}'
cni CHECK tuning <<< "$t2"
cni CHECK tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","mtu":1400,"prevResult":'"$prev"'}'
cni CHECK tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","prevResult":'"$prev"'}'
cni DEL tuning <<< "$t2"
ip -n pod1 link show eth0
ip netns exec pod1 sysctl net.ipv4.conf.eth0.rp_filter
ls /var/lib/cni/tuning
cni DEL tuning <<< "$t2"
cni CHECK tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","allmulti":false,"prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning"}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","sysctl":{"kernel.foo":"1"},"prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","sysctl":{"net.ipv4.conf.eth9.rp_filter":"1"},"prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","sysctl":{"net.ipv4.conf.eth0.rp_filter":"abc"},"prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","mac":"zz","prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","mac":"01:00:00:00:00:01","prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","mtu":70000,"prevResult":'"$prev"'}'
cat /var/lib/cni/tuning/c1_eth0.json; echo
cni DEL tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning"}'
ls /var/lib/cni/tuning
ARGS="MAC=02:00:00:00:00:09"
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","runtimeConfig":{"mac":"02:00:00:00:00:08"},"prevResult":'"$prev"'}'
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning","prevResult":'"$prev"'}'
ARGS="FOO=1"
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","prevResult":'"$prev"'}'
ARGS=
cni ADD tuning <<< '{"cniVersion":"0.3.1","name":"tnet","type":"tuning","mtu":1400,"prevResult":'"$prev"'}'
IF=eth1
cni ADD tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","dataDir":"/var/lib/cni/tuning2","mtu":1400,"prevResult":'"$prev"'}'
IF=eth0
ls /var/lib/cni/tuning2 2>&1
ip netns exec node env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/nope CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni /usr/lib/cni/tuning <<< '{"cniVersion":"1.0.0","name":"tnet","type":"tuning","mtu":1400,"prevResult":'"$prev"'}'; echo " [exit $?]"
ip -n pod1 link show eth0
cni DEL ptp <<< "$ptp"
