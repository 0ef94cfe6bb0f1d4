# Bad input to the main plugins (cni.md T6, §1.4): the skel's checks in their
# order (env, JSON, name, container ID, ifname, command, version), then the
# plugins' own (missing ipam, bad CIDRs, an unknown IPAM type, exhaustion).
ip netns add pod
run() {  # run TYPE COMMAND CONFIG [ENV...]
  local type=$1 cmd=$2 conf=$3; shift 3
  env CNI_COMMAND=$cmd CNI_CONTAINERID=c1 CNI_NETNS=/var/run/netns/pod CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni "$@" /usr/lib/cni/$type <<< "$conf"
  echo " [$type $cmd: $?]"
}
ok='{"cniVersion":"1.0.0","name":"n","type":"ptp","ipam":{"type":"host-local","subnet":"10.70.0.0/30"}}'
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp"'
run ptp ADD '{"cniVersion":"1.0.0","type":"ptp"}'
run bridge ADD '{"cniVersion":"1.0.0","name":"a/b","type":"bridge"}'
run ptp ADD "$ok" CNI_CONTAINERID=-x/
run ptp ADD "$ok" CNI_IFNAME=averyveryverylongname
run ptp ADD "$ok" CNI_IFNAME=.
run ptp ADD "$ok" CNI_IFNAME=a:b
run ptp FOO "$ok"
run ptp STATUS "$ok"
run ptp ADD '{"cniVersion":"1.1.0","name":"n","type":"ptp"}'
run ptp CHECK '{"cniVersion":"0.3.1","name":"n","type":"ptp"}'
run ptp ADD "$ok" CNI_PATH=
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp"}'
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp","ipam":{"type":"nosuch"}}'
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp","ipam":{"type":"host-local","subnet":"10.70.0.1/30"}}'
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp","ipam":{"type":"host-local","subnet":"10.70.0.0/31"}}'
run ptp ADD '{"cniVersion":"1.0.0","name":"n","type":"ptp","ipam":{"type":"host-local","subnet":"bogus"}}'
run bridge ADD '{"cniVersion":"1.0.0","name":"b","type":"bridge","vlan":5000}'
run bridge ADD '{"cniVersion":"1.0.0","name":"b","type":"bridge","hairpinMode":true,"promiscMode":true}'
run ptp ADD "$ok"
run ptp ADD "$ok" CNI_CONTAINERID=c2
run ptp VERSION '{"cniVersion":"0.2.0"}'
run loopback ADD '{"cniVersion":"0.4.0","name":"lo","type":"loopback"}' CNI_NETNS=/var/run/netns/gone
sleep 2  # the link watcher settles on the kernel (eth0 of the last ADD)
