"""The one exception decoding raises, and the length check every decoder starts with."""

from __future__ import annotations

from netsim.errors import NetsimError

__all__ = ["DecodeError", "need"]


class DecodeError(NetsimError, ValueError):
    """Bytes that do not parse as the header they were handed to (truncated or malformed)."""


def need(data: bytes, length: int, what: str) -> None:
    """Raise :class:`DecodeError` unless *data* holds at least *length* bytes of *what*."""
    if len(data) < length:
        raise DecodeError(f"truncated {what}: need {length} bytes, got {len(data)}")
