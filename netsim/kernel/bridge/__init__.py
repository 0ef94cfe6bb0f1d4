"""Bridges: device, ports, FDB and the forwarding path."""
