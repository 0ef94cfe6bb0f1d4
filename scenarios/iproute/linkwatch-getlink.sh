# A bridge loses carrier when its first port joins without one
# (br_stp_change_bridge_id() -> br_port_state_selection()).  The operstate
# follows when the link watcher runs: a dump shows the old one until then, but
# asking for the device (RTM_GETLINK: `ip link show DEV`, `ip addr show dev
# DEV`) handles its pending event first (linkwatch_sync_dev(), Linux 6.7).
ip link add br1 type bridge
ip link set br1 up
ip link add v1 address 02:00:00:00:00:01 type veth peer name v1p address 02:00:00:00:00:02
ip link set v1 master br1
ip -br link | grep br1
ip -br link show br1
ip -br link | grep br1
ip link add br2 type bridge
ip link add v2 address 02:00:00:00:00:03 type veth peer name v2p address 02:00:00:00:00:04
ip link set v2 master br2
ip link set br2 up
ip -4 -br addr | grep br2
ip -4 -br addr show dev br2
