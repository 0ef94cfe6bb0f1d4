"""The kernel's ``/proc/sys`` handlers, as pure functions on Python ints.

A sysctl file stores a C value (an ``int`` of jiffies, a ``u8``, an
``unsigned long`` ...) and a *handler* turns the text written into it into
that value and the value back into text (``kernel/sysctl.c``).  Each
:class:`Kind` here is one handler:

====================  ===========================================================
kind                  kernel handler
====================  ===========================================================
``int``               ``proc_dointvec`` / ``proc_dointvec_minmax``
``uint``              ``proc_douintvec_minmax``, ``proc_dou8vec_minmax``
``ulong``             ``proc_doulongvec_minmax``
``jiffies``           ``proc_dointvec_jiffies`` (seconds, stored in jiffies)
``ms``                ``proc_dointvec_ms_jiffies[_minmax]`` (ms, stored in jiffies)
``userhz``            ``proc_dointvec_userhz_jiffies`` (1/100 s, stored in jiffies)
``brnf``              ``brnf_sysctl_call_tables`` (any non-zero int is stored as 1)
``ro``                a read-only file (writing fails with ``EACCES``)
====================  ===========================================================

Arrays, bitmaps (``proc_do_large_bitmap``) and strings are in ``_scalars.py``.

Writing follows ``__do_proc_dointvec``/``proc_get_long`` to the byte: blanks
before a number are skipped, ``-`` is the only sign, the base comes from the
prefix (``0x10`` is 16, ``010`` is 8), a number must be followed by a blank
or the end, only as many numbers as the file holds are read and the rest of
the text is ignored (``1 2`` writes 1), and text with no number is
``EINVAL``.  Time values use the test kernel's ``HZ=250`` and ``USER_HZ=100``
with the kernel's rounding, so ``retrans_time_ms=333`` reads back as 336.
"""

from __future__ import annotations

import errno as _errno
from dataclasses import dataclass
from enum import Enum
from typing import Final

__all__ = [
    "HZ",
    "USER_HZ",
    "Invalid",
    "Kind",
    "Spec",
    "format_bitmap",
    "format_value",
    "parse_bitmap",
    "parse_values",
    "store_value",
]

HZ: Final = 250
USER_HZ: Final = 100
INT_MIN: Final = -(2**31)
INT_MAX: Final = 2**31 - 1
UINT_MAX: Final = 2**32 - 1
ULONG_MAX: Final = 2**64 - 1
#: ``proc_get_long`` copies at most TMPBUFLEN-1 bytes and refuses a number that long.
_TMPBUFLEN: Final = 22
_WSPACE_SEP: Final = frozenset(" \t\n")  # proc_wspace_sep
_SPACES: Final = frozenset(" \t\n\v\f\r")  # isspace()
_DIGITS: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


class Invalid(Exception):
    """A handler refused the write; carries the errno ``write(2)`` would return."""

    def __init__(self, errno: int = _errno.EINVAL):
        self.errno = errno
        super().__init__(errno)


class Kind(Enum):
    INT = "int"
    UINT = "uint"
    ULONG = "ulong"
    JIFFIES = "jiffies"
    MS = "ms"
    USERHZ = "userhz"
    BRNF = "brnf"
    RO = "ro"


@dataclass(frozen=True, slots=True)
class Spec:
    """How one sysctl file converts text; ``lo``/``hi`` are the handler's extra1/extra2.

    For ``ms`` the bounds apply to the stored jiffies (``*_minmax`` handlers).
    """

    kind: Kind
    lo: int | None = None
    hi: int | None = None


# --- parsing ---------------------------------------------------------------------------


def _get_long(buf: str, pos: int, seps: frozenset[str]) -> tuple[bool, int, int]:
    """``proc_get_long()``: one number at ``buf[pos:]``; returns (negative, magnitude, end)."""
    size = len(buf) - pos
    tmp = buf[pos : pos + min(size, _TMPBUFLEN - 1)]
    p = 0
    neg = False
    if tmp[:1] == "-" and size > 1:
        neg = True
        p = 1
    if p >= len(tmp) or not tmp[p].isdigit() or not tmp[p].isascii():
        raise Invalid
    # _parse_integer_fixup_radix(): base 0 picks 16 for 0x<hexdigit>, 8 for 0..., else 10
    if tmp[p] == "0":
        if tmp[p + 1 : p + 2].lower() == "x" and tmp[p + 2 : p + 3] in set(
            "0123456789abcdefABCDEF"
        ):
            base, p = 16, p + 2
        else:
            base = 8
    else:
        base = 10
    value = 0
    while p < len(tmp):
        d = _DIGITS.find(tmp[p].lower())
        if d < 0 or d >= base:
            break
        value = value * base + d
        p += 1
    if value > ULONG_MAX or p == _TMPBUFLEN - 1:
        raise Invalid
    if p < size and buf[pos + p] not in seps:
        raise Invalid
    return neg, value, pos + p


def parse_values(text: str, count: int) -> tuple[list[tuple[bool, int]], bool]:
    """Numbers as ``__do_proc_dointvec`` reads them from ``text`` + newline.

    Returns up to ``count`` (negative, magnitude) pairs and whether reading
    stopped on an error after them.  No number at all is :class:`Invalid`.
    """
    buf = text + "\n"
    pos = 0
    out: list[tuple[bool, int]] = []
    failed = False
    while len(out) < count:
        while pos < len(buf) and buf[pos] in _SPACES:
            pos += 1
        if pos == len(buf):
            break
        try:
            neg, value, pos = _get_long(buf, pos, _WSPACE_SEP)
        except Invalid:
            failed = True
            break
        out.append((neg, value))
    if not out:
        raise Invalid
    return out, failed


def parse_bitmap(text: str, nbits: int) -> set[int]:
    """``proc_do_large_bitmap()`` writing: ``1-3,5`` -> {1, 2, 3, 5}; empty text clears."""
    buf = text + "\n"
    pos = 0
    while pos < len(buf) and buf[pos] == "\n":
        pos += 1
    bits: set[int] = set()
    while pos < len(buf):
        neg, a, pos = _get_long(buf, pos, frozenset("-,\n"))
        if neg or a >= nbits:
            raise Invalid
        sep = buf[pos] if pos < len(buf) else ""
        pos += 1
        b = a
        if sep == "-":
            neg, b, pos = _get_long(buf, pos, frozenset(",\n"))
            if neg or b >= nbits or a > b:
                raise Invalid
            pos += 1
        bits.update(range(a, b + 1))
        while pos < len(buf) and buf[pos] == "\n":
            pos += 1
    return bits


def format_bitmap(bits: set[int] | frozenset[int]) -> str:
    """``proc_do_large_bitmap()`` reading: {1, 2, 3, 5} -> ``1-3,5``."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(bits):
        if run and n == run[-1] + 1:
            run.append(n)
            continue
        if run:
            out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
        run = [n]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


# --- conversions -----------------------------------------------------------------------


def _to_int(neg: bool, value: int) -> int:
    """``do_proc_dointvec_conv()`` writing."""
    if neg:
        if value > INT_MAX + 1:
            raise Invalid
        return -value
    if value > INT_MAX:
        raise Invalid
    return value


def _s32(value: int) -> int:
    """Truncate to a C ``int`` as an assignment does."""
    value &= UINT_MAX
    return value - 2**32 if value > INT_MAX else value


def _in_bounds(value: int, spec: Spec) -> int:
    if (spec.lo is not None and value < spec.lo) or (spec.hi is not None and value > spec.hi):
        raise Invalid
    return value


def _msecs_to_jiffies(neg: bool, value: int) -> int:
    m = (-value if neg else value) & UINT_MAX  # msecs_to_jiffies(const unsigned int m)
    if m > INT_MAX:
        raise Invalid  # MAX_JIFFY_OFFSET, then "jif > INT_MAX"
    return (m + 1000 // HZ - 1) // (1000 // HZ)


def _clock_t_to_jiffies(neg: bool, value: int) -> int:
    if value > (2**63 - 1) // HZ * USER_HZ:
        raise Invalid
    x = (-value if neg else value) & ULONG_MAX
    j = ULONG_MAX if x >= ULONG_MAX // HZ * USER_HZ else x * HZ // USER_HZ
    return _s32(j)


def store_value(spec: Spec, neg: bool, value: int) -> int:
    """The C value one written number becomes under ``spec`` (scalar kinds)."""
    kind = spec.kind
    if kind is Kind.INT:
        return _in_bounds(_to_int(neg, value), spec)
    if kind is Kind.UINT:
        if neg or value > UINT_MAX:
            raise Invalid
        return _in_bounds(value, spec)
    if kind is Kind.ULONG:
        if neg:
            raise Invalid
        return _in_bounds(value, spec)
    if kind is Kind.JIFFIES:
        if value > INT_MAX // HZ:
            raise Invalid
        return -value * HZ if neg else value * HZ
    if kind is Kind.MS:
        return _in_bounds(_msecs_to_jiffies(neg, value), spec)
    if kind is Kind.USERHZ:
        return _clock_t_to_jiffies(neg, value)
    if kind is Kind.BRNF:
        return 1 if _to_int(neg, value) else 0
    raise Invalid


def format_value(spec: Spec, value: int) -> str:
    """The text reading a file holding C value ``value`` gives (scalar kinds)."""
    kind = spec.kind
    if kind in (Kind.JIFFIES, Kind.MS, Kind.USERHZ):
        sign = "-" if value < 0 else ""
        mag = -value if value < 0 else value
        if kind is Kind.JIFFIES:
            out = mag // HZ
        elif kind is Kind.MS:
            out = (mag * (1000 // HZ)) & UINT_MAX  # jiffies_to_msecs() is unsigned int
        else:
            out = mag * (1_000_000_000 // HZ) // (1_000_000_000 // USER_HZ)
        return f"{sign}{out}"
    return str(value)
