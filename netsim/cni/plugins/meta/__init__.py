"""``plugins/meta`` of containernetworking/plugins v1.1.1: chained plugins that
change the host around an attachment made by a main plugin.

::

    conf.py           json.Unmarshal into a plugin's Go struct (type errors)
    portmap.py        portmap: main.go, portmap.go
    portmap_chain.py  portmap: chain.go and the chain builders
    firewall.py       firewall: firewall.go, iptables.go (the iptables backend)
    firewall_ingress.py  firewall: ingresspolicy.go
    prev.py          version.ParsePrevResult, Go's json type errors, /proc/sys PathErrors
    tuning.py        plugins/meta/tuning
    bandwidth.py     plugins/meta/bandwidth (main.go)
    bandwidth_tc.py  plugins/meta/bandwidth (ifb_creator.go)
"""
