# host-local run directly (cni.md T3): allocation order on a /29, exhaustion,
# round robin after DEL with wrap and gateway skip, requested IPs, CNI_ARGS
# checks, per-ifname allocations, CHECK, a multi-range config and the on-disk
# files ("\r" shown as "#"), in the default dataDir /var/lib/cni/networks (a
# tmpfs in the kernel sandbox: nothing reaches the machine's disk).
export LC_ALL=C
D=/var/lib/cni/networks
conf='{"cniVersion":"1.0.0","name":"hl1","ipam":{"type":"host-local","subnet":"10.30.0.0/29"}}'
hl() {
  env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS=/run/netns/pod CNI_IFNAME="$3" \
    CNI_PATH=/usr/lib/cni CNI_ARGS="$4" /usr/lib/cni/host-local
  echo " [$1 $2 $3 $4: exit $?]"
}
dump() {
  for f in $(ls "$1"); do echo "$f = $(tr '\r' '#' < "$1/$f")"; done
}
for id in a b c d e f; do hl ADD $id eth0 "" <<< "$conf"; done
hl DEL c eth0 "" <<< "$conf"
hl ADD h eth0 "" <<< "$conf"
hl DEL a eth0 "" <<< "$conf"
hl DEL b eth0 "" <<< "$conf"
hl ADD i eth0 "" <<< "$conf"
hl DEL unknown eth0 "" <<< "$conf"
hl DEL i eth0 "" <<< "$conf"
hl DEL i eth0 "" <<< "$conf"
hl ADD j eth0 IP=10.30.0.5 <<< "$conf"
hl ADD k eth0 IP=10.30.0.3 <<< "$conf"
hl ADD l eth0 IP=10.30.0.1 <<< "$conf"
hl ADD m eth0 IP=10.30.0.9 <<< "$conf"
hl ADD n eth0 ip=10.30.0.4 <<< "$conf"
hl ADD n eth0 K8S_POD_NAME=x <<< "$conf"
hl ADD n eth0 "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.30.0.4" <<< "$conf"
hl ADD k eth1 "" <<< "$conf"
hl CHECK k eth1 "" <<< "$conf"
hl CHECK nope eth0 "" <<< "$conf"
dump $D/hl1
hl ADD v1 eth0 "" <<< '{"cniVersion":"0.4.0","name":"hl2","ipam":{"type":"host-local","subnet":"10.30.0.0/29"}}'
hl ADD v2 eth0 "" <<< '{"cniVersion":"0.2.0","name":"hl2","ipam":{"type":"host-local","subnet":"10.30.0.0/29"}}'
multi='{"cniVersion":"1.0.0","name":"hl3","ipam":{"type":"host-local","ranges":[[{"subnet":"10.32.0.0/24","rangeStart":"10.32.0.100","rangeEnd":"10.32.0.101"},{"subnet":"10.33.0.0/30"}],[{"subnet":"fd00:32::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00:32::fe"}]}}'
for id in r1 r2 r3 r4; do hl ADD $id eth0 "" <<< "$multi"; done
dump $D/hl3
