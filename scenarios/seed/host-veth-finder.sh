# The seed notes' "veth pair" section: a container's eth0 is one end of a veth
# pair; /sys/class/net/eth0/iflink inside the container gives the ifindex of
# the other end, and the seed's script finds the host-side veth with it.
ip netns add c
ip link add veth9 type veth peer name eth0 netns c
ip link add vethx type veth peer name y
set -- $(ip netns exec c cat /sys/class/net/eth0/iflink)
echo "the container's eth0 is paired with ifindex $1"

# the seed's script, unchanged below this line
echo -e "----statrt-------"
cd /sys/class/net/
for i in `ls |grep veth`;do
  index=$(cat $i/ifindex)
  if [[ ${index} == ${1} ]];then
       echo -e "${i}\n"
       echo -e "${index}"
  fi
done
echo -e "----------end--------"
