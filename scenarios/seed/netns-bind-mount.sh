# The seed notes' /proc/PID/ns example: a namespace is held by a file it is
# bind-mounted on, and two processes share a namespace when their links agree.
echo $$
ip netns add a
ls /var/run/netns
[ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/$$/ns/net)" ] && echo "self and \$\$: the same namespace"
[ "$(ip netns exec a readlink /proc/self/ns/net)" != "$(readlink /proc/$$/ns/net)" ] && echo "a: another one"
ls /proc/$$/ns
cat /proc/$$/ns/net 2>&1
echo "cat: $?"
touch /tmp/net
mount --bind /proc/$$/ns/net /tmp/net
echo "mount: $?"
nsenter --net=/tmp/net ip -br link
nsenter --net=/var/run/netns/a ip -br link
[ "$(nsenter --net=/run/netns/a readlink /proc/self/ns/net)" = "$(ip netns exec a readlink /proc/self/ns/net)" ] && echo "nsenter: a"
nsenter -t 1 -n ip -br addr
umount /tmp/net
echo "umount: $?"
umount /tmp/net 2>&1
echo "umount: $?"
touch /tmp/nodir/x 2>&1
mount --bind /proc/$$/ns/net /tmp/none 2>&1
nsenter --net=/tmp/none true 2>&1
nsenter --net=/tmp/net true 2>&1
readlink /tmp/net
echo "readlink: $?"
