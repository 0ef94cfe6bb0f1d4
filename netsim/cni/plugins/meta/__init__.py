"""plugins/meta of containernetworking/plugins v1.1.1: tuning and bandwidth.

::

    prev.py          version.ParsePrevResult, Go's json type errors, /proc/sys PathErrors
    tuning.py        plugins/meta/tuning
    bandwidth.py     plugins/meta/bandwidth (main.go)
    bandwidth_tc.py  plugins/meta/bandwidth (ifb_creator.go)
"""
