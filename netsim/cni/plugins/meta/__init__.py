"""``plugins/meta`` of containernetworking/plugins v1.1.1: chained plugins that
change the host around an attachment made by a main plugin.

::

    conf.py           json.Unmarshal into a plugin's Go struct (type errors)
    portmap.py        portmap: main.go, portmap.go
    portmap_chain.py  portmap: chain.go and the chain builders
    firewall.py       firewall: firewall.go, iptables.go (the iptables backend)
    firewall_ingress.py  firewall: ingresspolicy.go
"""
