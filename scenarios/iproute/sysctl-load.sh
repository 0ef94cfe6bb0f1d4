# sysctl -p/--load (procps-ng 4.0.2): files read first, then applied; glob keys; syntax
# warnings; cannot open; -e and -q.
printf -- "-net.ipv4.nosuch=1\n" > /tmp/a.conf
sysctl -p /tmp/a.conf 2>&1; echo "rc=$?"
printf "  net.ipv4.ip_forward  =  1  \nnet.ipv4.conf.*.rp_filter = 2\nnet.ipv4.tcp_rmem = 5000 6000   7000\nnoequals\n" > /tmp/b.conf
sysctl -p /tmp/b.conf 2>&1; echo "rc=$?"
sysctl -p /tmp/a.conf /tmp/b.conf 2>&1; echo rc=$?
sysctl -q -p /tmp/b.conf 2>&1; echo rc=$?
printf "net.ipv4.ip_forward=abc\n" > /tmp/c.conf
sysctl -p /tmp/c.conf 2>&1; echo rc=$?
sysctl -e -p /tmp/a.conf 2>&1; echo rc=$?
sysctl --load=/tmp/b.conf 2>&1; echo rc=$?
sysctl -p/tmp/c.conf 2>&1; echo rc=$?
sysctl -p /tmp/nosuch 2>&1; echo rc=$?
