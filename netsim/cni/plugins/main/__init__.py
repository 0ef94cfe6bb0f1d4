"""The main plugins of containernetworking/plugins v1.1.1: ``bridge``, ``ptp``,
``macvlan``, ``ipvlan``, ``vlan``, ``host-device``.

::

    common.py   the plugin context, the op loop, netns / link lookups, veth setup
                (pkg/ns, pkg/ip link_linux.go), IPAM delegation (pkg/ipam, invoke)
    iface.py    ipam.ConfigureIface, ip.ValidateExpectedInterfaceIPs / Route
    bridge.py   plugins/main/bridge/bridge.go
    ptp.py      plugins/main/ptp/ptp.go
    stacked.py  what macvlan, ipvlan and vlan share (loadConf pieces, createX, DEL)
    macvlan.py  plugins/main/macvlan/macvlan.go
    ipvlan.py   plugins/main/ipvlan/ipvlan.go
    vlan.py     plugins/main/vlan/vlan.go
    host_device.py  plugins/main/host-device/host-device.go
"""
