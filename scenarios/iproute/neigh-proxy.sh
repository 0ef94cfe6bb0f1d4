# ip neigh proxy entries (pneigh): added without an address or state, on a
# device or on none, listed only by "show proxy", removed one by one or by
# flush proxy.
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add w0 address 02:00:00:00:00:03 type veth peer name w1 address 02:00:00:00:00:04
for d in v0 v1 w0 w1; do ip link set $d up; done
echo '$ ip neigh add proxy 10.0.0.50 dev v0'; ip neigh add proxy 10.0.0.50 dev v0 2>&1; echo "rc $?"
echo '$ ip neigh add proxy 10.0.0.51 dev w0'; ip neigh add proxy 10.0.0.51 dev w0 2>&1; echo "rc $?"
echo '$ ip neigh add proxy 10.0.0.50 dev v0'; ip neigh add proxy 10.0.0.50 dev v0 2>&1; echo "rc $?"
echo '$ ip neigh replace proxy 10.0.0.50 dev v0'; ip neigh replace proxy 10.0.0.50 dev v0 2>&1; echo "rc $?"
echo '$ ip neigh add proxy 10.0.0.52'; ip neigh add proxy 10.0.0.52 2>&1; echo "rc $?"
echo '$ ip neigh add proxy 10.0.0.53 dev v0 lladdr 02:00:00:00:00:53'; ip neigh add proxy 10.0.0.53 dev v0 lladdr 02:00:00:00:00:53 2>&1; echo "rc $?"
echo '$ ip neigh show proxy | sort'; ip neigh show proxy | sort 2>&1; echo "rc $?"
echo '$ ip neigh show proxy dev v0 | sort'; ip neigh show proxy dev v0 | sort 2>&1; echo "rc $?"
echo '$ ip -j neigh show proxy 10.0.0.51'; ip -j neigh show proxy 10.0.0.51 2>&1; echo "rc $?"
echo '$ ip neigh show proxy 10.0.0.52'; ip neigh show proxy 10.0.0.52 2>&1; echo "rc $?"
echo '$ ip neigh show'; ip neigh show 2>&1; echo "rc $?"
echo '$ ip neigh show nud all'; ip neigh show nud all 2>&1; echo "rc $?"
echo '$ ip neigh del proxy 10.0.0.51 dev w0'; ip neigh del proxy 10.0.0.51 dev w0 2>&1; echo "rc $?"
echo '$ ip neigh del proxy 10.0.0.51 dev w0'; ip neigh del proxy 10.0.0.51 dev w0 2>&1; echo "rc $?"
echo '$ ip neigh show proxy | sort'; ip neigh show proxy | sort 2>&1; echo "rc $?"
echo '$ ip link set v0 down'; ip link set v0 down 2>&1; echo "rc $?"
echo '$ ip neigh show proxy | sort'; ip neigh show proxy | sort 2>&1; echo "rc $?"
echo '$ ip neigh add proxy 10.0.0.54 dev w0'; ip neigh add proxy 10.0.0.54 dev w0 2>&1; echo "rc $?"
echo '$ ip neigh flush proxy'; ip neigh flush proxy 2>&1; echo "rc $?"
echo '$ ip neigh show proxy'; ip neigh show proxy 2>&1; echo "rc $?"
