"""IPAM plugins as pure logic over a :class:`~netsim.cni.fs.PluginFs`:
host-local (:mod:`netsim.cni.ipam.host_local`) and static
(:mod:`netsim.cni.ipam.static`)."""
