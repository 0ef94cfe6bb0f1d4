# ip route change replaces a route of the same priority and never creates one
# (No such file or directory); prepend puts a route before its peers; show
# selectors (root/match/exact, dev, via, proto, scope, type) and the fields
# they leave out.
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add w0 address 02:00:00:00:00:03 type veth peer name w1 address 02:00:00:00:00:04
ip addr add 10.0.0.1/24 dev v0
ip addr add 10.1.0.1/24 dev w0
for d in v0 v1 w0 w1; do ip link set $d up; done
echo '$ ip route change 10.5.0.0/16 via 10.0.0.2'; ip route change 10.5.0.0/16 via 10.0.0.2 2>&1; echo "rc $?"
echo '$ ip route add 10.5.0.0/16 via 10.0.0.2'; ip route add 10.5.0.0/16 via 10.0.0.2 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.1.0.2'; ip route change 10.5.0.0/16 via 10.1.0.2 2>&1; echo "rc $?"
echo '$ ip route'; ip route 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.1.0.2 metric 10'; ip route change 10.5.0.0/16 via 10.1.0.2 metric 10 2>&1; echo "rc $?"
echo '$ ip route add 10.5.0.0/16 via 10.0.0.3 metric 10'; ip route add 10.5.0.0/16 via 10.0.0.3 metric 10 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.1.0.3 metric 10'; ip route change 10.5.0.0/16 via 10.1.0.3 metric 10 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.1.0.3 metric 10'; ip route change 10.5.0.0/16 via 10.1.0.3 metric 10 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.1.0.3'; ip route change 10.5.0.0/16 via 10.1.0.3 2>&1; echo "rc $?"
echo '$ ip route'; ip route 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 via 10.9.0.3'; ip route change 10.5.0.0/16 via 10.9.0.3 2>&1; echo "rc $?"
echo '$ ip route change blackhole 10.5.0.0/16'; ip route change blackhole 10.5.0.0/16 2>&1; echo "rc $?"
echo '$ ip route'; ip route 2>&1; echo "rc $?"
echo '$ ip route change 10.5.0.0/16 table 100 dev v0'; ip route change 10.5.0.0/16 table 100 dev v0 2>&1; echo "rc $?"
echo '$ ip route show table 100'; ip route show table 100 2>&1; echo "rc $?"
echo '$ ip route show table 101'; ip route show table 101 2>&1; echo "rc $?"
echo '$ ip route append 10.5.0.0/16 via 10.0.0.2'; ip route append 10.5.0.0/16 via 10.0.0.2 2>&1; echo "rc $?"
echo '$ ip route append 10.5.0.0/16 via 10.0.0.3'; ip route append 10.5.0.0/16 via 10.0.0.3 2>&1; echo "rc $?"
echo '$ ip route append 10.5.0.0/16 via 10.0.0.3'; ip route append 10.5.0.0/16 via 10.0.0.3 2>&1; echo "rc $?"
echo '$ ip route prepend 10.5.0.0/16 via 10.0.0.4'; ip route prepend 10.5.0.0/16 via 10.0.0.4 2>&1; echo "rc $?"
echo '$ ip route prepend 10.5.0.0/16 via 10.0.0.4'; ip route prepend 10.5.0.0/16 via 10.0.0.4 2>&1; echo "rc $?"
echo '$ ip route'; ip route 2>&1; echo "rc $?"
echo '$ ip route show root 10.0.0.0/8'; ip route show root 10.0.0.0/8 2>&1; echo "rc $?"
echo '$ ip route show match 10.5.1.1'; ip route show match 10.5.1.1 2>&1; echo "rc $?"
echo '$ ip route show exact 10.5.0.0/16'; ip route show exact 10.5.0.0/16 2>&1; echo "rc $?"
echo '$ ip route show 10.5.0.0/16'; ip route show 10.5.0.0/16 2>&1; echo "rc $?"
echo '$ ip route show 10.5.0.0/24'; ip route show 10.5.0.0/24 2>&1; echo "rc $?"
echo '$ ip route show dev w0'; ip route show dev w0 2>&1; echo "rc $?"
echo '$ ip -j route show dev w0'; ip -j route show dev w0 2>&1; echo "rc $?"
echo '$ ip route show proto kernel'; ip route show proto kernel 2>&1; echo "rc $?"
echo '$ ip route show scope link'; ip route show scope link 2>&1; echo "rc $?"
echo '$ ip route show type blackhole'; ip route show type blackhole 2>&1; echo "rc $?"
echo '$ ip route show via 10.0.0.2'; ip route show via 10.0.0.2 2>&1; echo "rc $?"
echo '$ ip route show root 10.0.0.0/8 dev v0 proto boot'; ip route show root 10.0.0.0/8 dev v0 proto boot 2>&1; echo "rc $?"
echo '$ ip -d route show dev w0'; ip -d route show dev w0 2>&1; echo "rc $?"
echo '$ ip route add blackhole 10.7.0.0/16 table 100'; ip route add blackhole 10.7.0.0/16 table 100 2>&1; echo "rc $?"
echo '$ ip -d route show table all'; ip -d route show table all 2>&1; echo "rc $?"
echo '$ ip -d -j route show table 100'; ip -d -j route show table 100 2>&1; echo "rc $?"
echo '$ ip -d route get 10.5.0.1'; ip -d route get 10.5.0.1 2>&1; echo "rc $?"
