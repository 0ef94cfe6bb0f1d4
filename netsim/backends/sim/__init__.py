"""The simulator backend: the kernel model, seen the way iproute2 sees a kernel."""
