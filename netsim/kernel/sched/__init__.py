"""Traffic control: the packet scheduler (``net/sched``) as far as CNI's
bandwidth plugin uses it.

::

    psched.py   tick/ns conversions, psched_ratecfg (rate -> ns per byte)
    qdisc.py    Qdisc, the transmit path through a root qdisc, pfifo_fast, bfifo
    tbf.py      sch_tbf: the token bucket (delays what exceeds the rate, drops
                what exceeds the queue limit)
    ingress.py  sch_ingress, cls_u32 (match-all), act_mirred (redirect to an ifb)
    api.py      RTM_{NEW,DEL,GET}QDISC and RTM_{NEW,DEL,GET}TFILTER with the
                kernel's errors; dumps as netlink-shaped records

A device's root qdisc object is ``Link.sched`` (None: ``noqueue``/``noop``,
straight to the driver); its ingress qdisc is ``Link.ingress_q``.
"""
