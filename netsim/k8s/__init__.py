"""The Kubernetes side: what the control plane does to a node's network.

::

    nodeipam.py   kube-controller-manager's range allocator (podCIDRs)
"""
