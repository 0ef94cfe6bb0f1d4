"""Programs that run in a namespace: ``ping`` (and, later, the CNI runtime's helpers)."""
