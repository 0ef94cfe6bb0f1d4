"""The main plugins of containernetworking/plugins v1.1.1: ``bridge``, ``ptp``.

::

    common.py   the plugin context, the op loop, netns / link lookups, veth setup
                (pkg/ns, pkg/ip link_linux.go), IPAM delegation (pkg/ipam, invoke)
    iface.py    ipam.ConfigureIface, ip.ValidateExpectedInterfaceIPs / Route
    bridge.py   plugins/main/bridge/bridge.go
    ptp.py      plugins/main/ptp/ptp.go
"""
