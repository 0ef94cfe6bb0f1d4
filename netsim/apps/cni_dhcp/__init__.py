"""The dhcp IPAM plugin's daemon (``/usr/lib/cni/dhcp daemon``) of
containernetworking/plugins v1.1.1, as a background program of the simulated
machine::

    command.py   main.go's daemon flags and runDaemon
    daemon.py    daemon.go: the RPC service (Allocate, Release), the lease map
    lease.py     lease.go: acquire, commit, maintain (T1, T2, expiry), release
    client.py    d2g/dhcp4client over a packet socket, and client.go
    options.py   options.go and prepareOptions

The plugin binary that talks to it is :mod:`netsim.cni.ipam.dhcp`.
"""
