"""The linux backend: the same Host operations on the real kernel, in a sandbox."""
