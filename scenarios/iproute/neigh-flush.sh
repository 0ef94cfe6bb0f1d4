# ip neigh flush: by default every entry but permanent and noarp ones that
# matches dev / to PREFIX; "nud S" picks states ("nud all": all but noarp);
# -s counts what went.  No selector at all is refused.
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add w0 address 02:00:00:00:00:03 type veth peer name w1 address 02:00:00:00:00:04
ip addr add 10.0.0.1/24 dev v0
ip addr add 10.1.0.1/24 dev w0
for d in v0 v1 w0 w1; do ip link set $d up; done
ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev v0
ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev v0 nud stale
ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev v0 nud noarp
ip neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev v0 nud reachable
ip neigh add 10.0.0.9 dev v0 nud failed
ip neigh add 10.0.0.10 dev v0 nud none
ip neigh add 10.1.0.5 lladdr 02:00:00:00:01:05 dev w0 nud stale
ip neigh add 10.1.0.6 lladdr 02:00:00:00:01:06 dev w0
ip neigh add 10.1.0.7 lladdr 02:00:00:00:01:07 dev w0 nud reachable
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip neigh flush'; ip neigh flush 2>&1; echo "rc $?"
echo '$ ip neigh flush dev nope'; ip neigh flush dev nope 2>&1; echo "rc $?"
echo '$ ip neigh flush dev v0 nud stale'; ip neigh flush dev v0 nud stale 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip neigh flush to 10.1.0.4/30'; ip neigh flush to 10.1.0.4/30 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip neigh flush 10.1.0.6 nud permanent'; ip neigh flush 10.1.0.6 nud permanent 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip neigh flush dev v0 nud none'; ip neigh flush dev v0 nud none 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip -s neigh flush dev v0'; ip -s neigh flush dev v0 2>&1; echo "rc $?"
echo '$ ip -s neigh flush dev v0'; ip -s neigh flush dev v0 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip -s neigh flush nud all'; ip -s neigh flush nud all 2>&1; echo "rc $?"
echo '$ ip neigh show nud all | sort'; ip neigh show nud all | sort 2>&1; echo "rc $?"
echo '$ ip neigh flush all nud noarp'; ip neigh flush all nud noarp 2>&1; echo "rc $?"
echo '$ ip neigh show nud all'; ip neigh show nud all 2>&1; echo "rc $?"
echo '$ ip neigh flush to bogus'; ip neigh flush to bogus 2>&1; echo "rc $?"
