"""Copy-on-write trees of the sysctl model: what namespaces and devices share
until one of them writes (the captured defaults parsed once, a device's
``conf``/``neigh`` trees, a namespace's scalar keys)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar, cast

from netsim.kernel.sysctl import _defaults as D
from netsim.kernel.sysctl import _tables as T
from netsim.kernel.sysctl._procfs import Kind
from netsim.kernel.sysctl._scalars import SPECIAL, Scalars, Value

__all__ = ["default_scalars", "is_shared", "own", "shared", "shared_scalars"]

T_ = TypeVar("T_")


@functools.cache
def default_scalars() -> Mapping[str, Value]:
    """The captured defaults of the keys outside the device trees, parsed once
    (every value is immutable, so each namespace copies the mapping)."""
    out: Scalars = {}
    for key, text in D.SCALARS.items():
        if key in SPECIAL:
            out[key] = SPECIAL[key][0](text)
        elif key == "net.ipv4.ip_forward":
            out[key] = 0  # conf.all.forwarding is read instead
        elif (spec := T.spec(key)).kind is Kind.RO:
            out[key] = text
        else:
            out[key] = T.parse1(spec, text)
    return MappingProxyType(out)


#: Trees several devices hold until one of them is written (key -> tree), and their ids.
_SHARED: dict[tuple[object, ...], Any] = {}
_SHARED_IDS: set[int] = set()


def shared(key: tuple[object, ...], make: Callable[[], T_]) -> T_:
    """The one tree for ``key`` that new devices share (made by ``make`` the
    first time); past a few hundred kinds, a tree of the device's own."""
    tree = _SHARED.get(key)
    if tree is None:
        tree = make()
        if len(_SHARED) >= 256:
            return tree
        _SHARED[key] = tree
        _SHARED_IDS.add(id(tree))
    return cast("T_", tree)


def is_shared(tree: object) -> bool:
    """Whether ``tree`` is one several holders share (copy it before writing)."""
    return id(tree) in _SHARED_IDS


def own(dev: T.Device, attr: str) -> Any:
    """``dev``'s tree ``attr`` (``conf4``, ``written4``, ...) made its own before a
    write: a shared one is copied first."""
    tree = getattr(dev, attr)
    if id(tree) in _SHARED_IDS:
        tree = copy.copy(tree)
        setattr(dev, attr, tree)
    return tree


@functools.cache
def shared_scalars() -> Scalars:
    """One dict of the defaults that namespaces share until they write (never
    written itself: :meth:`Sysctls._own_scalars` copies it first)."""
    return dict(default_scalars())
