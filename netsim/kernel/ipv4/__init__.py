"""IPv4: addresses (devinet), the FIB (tables, rules, lookups), and the routes the
kernel maintains on its own (fib_frontend)."""
