"""``pkg/utils`` of containernetworking/plugins v1.1.1: the names plugins give the
iptables chains and comments they make."""

from __future__ import annotations

import hashlib
from typing import Final

from netsim.cni.gojson import go_quote

__all__ = ["format_chain_name", "format_comment", "format_hash_with_prefix"]

MAX_CHAIN_LENGTH: Final = 28
CHAIN_PREFIX: Final = "CNI-"


def format_hash_with_prefix(length: int, prefix: str, to_hash: str) -> str:
    """``MustFormatHashWithPrefix``: ``prefix`` + hex of ``sha512(to_hash)``, cut to ``length``."""
    if len(prefix) >= length or length > 128:
        raise ValueError("invalid length")
    return (prefix + hashlib.sha512(to_hash.encode()).hexdigest())[:length]


def format_chain_name(name: str, container_id: str, prefix: str = "") -> str:
    """``FormatChainName`` / ``MustFormatChainNameWithPrefix``: ``CNI-`` + prefix +
    hash of network name and container ID, 28 characters."""
    return format_hash_with_prefix(MAX_CHAIN_LENGTH, CHAIN_PREFIX + prefix, name + container_id)


def format_comment(name: str, container_id: str) -> str:
    """``FormatComment``: ``name: "N" id: "ID"``."""
    return f"name: {go_quote(name)} id: {go_quote(container_id)}"
