"""The Kubernetes side: what the control plane does to a node's network.

::

    api.py        Node objects (podCIDRs, annotations) and watches on them
    nodeipam.py   kube-controller-manager's range allocator (podCIDRs)
    underlay.py   the L2 segment nodes stand on (kind's Docker network), or routed racks
    kubelet.py    pod sandboxes through CNI, as containerd's CRI runs them
    cluster.py    nodes, pods and the pod network together
    flannel/      flannel's DaemonSet: flanneld (vxlan, host-gw) and its CNI config
"""
