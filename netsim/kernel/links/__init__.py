"""Device drivers: loopback, veth (and, later, vxlan, vlan, macvlan, ...)."""
