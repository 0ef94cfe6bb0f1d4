"""Backends: implementations of the Host seam (the simulator; later the real kernel)."""
