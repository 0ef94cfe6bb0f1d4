"""Spec versions: what a plugin supports, which version a config asks for, and
the reconciliation the skel does (``pkg/version`` of containernetworking/cni v1.0.1)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any, Final

from netsim.cni.errors import ERR_DECODING_FAILURE, ERR_INCOMPATIBLE_CNI_VERSION, CniError
from netsim.cni.gojson import (
    GoJsonError,
    field,
    go_quote,
    go_quote_list,
    marshal_compact,
    unmarshal_shared,
)

__all__ = [
    "ALL",
    "CURRENT",
    "config_version",
    "encode_plugin_info",
    "greater_than_or_equal",
    "parse_version",
    "reconcile",
]

#: ``version.Current()``: the version a plugin's own result is built in.
CURRENT: Final = "1.0.0"
#: ``version.All``: what the v1.1.1 plugins support (no 1.1.0).
ALL: Final = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0")


def parse_version(v: str) -> tuple[int, int, int]:
    """``version.ParseVersion``: ``major.minor.micro``; missing parts are 0 and the
    empty version is 0.1.0."""
    if v == "":
        return 0, 1, 0
    known = _PARSED.get(v)
    if known is not None:
        return known
    parts = v.split(".")
    if len(parts) >= 4:
        raise CniError(f"invalid version {go_quote(v)}: too many parts", code=ERR_DECODING_FAILURE)
    nums: list[int] = []
    for what, p in zip(("major", "minor", "micro"), parts, strict=False):
        if not re.fullmatch(r"[+-]?[0-9]+", p):
            raise CniError(
                f"failed to convert {what} version part {go_quote(p)}: "
                f"strconv.Atoi: parsing {go_quote(p)}: invalid syntax",
                code=ERR_DECODING_FAILURE,
            )
        nums.append(int(p))
    nums += [0] * (3 - len(nums))
    if len(_PARSED) < 256:
        _PARSED[v] = (nums[0], nums[1], nums[2])
    return nums[0], nums[1], nums[2]


#: Versions parsed so far (a handful in practice).
_PARSED: dict[str, tuple[int, int, int]] = {}


def greater_than_or_equal(version: str, other: str) -> bool:
    """``version.GreaterThanOrEqualTo``."""
    return parse_version(version) >= parse_version(other)


@functools.lru_cache(maxsize=16)
def config_version(stdin: str) -> str:
    """``ConfigDecoder.Decode``: the config's ``cniVersion``, ``0.1.0`` when empty
    (memoised: one invocation's config is read several times)."""
    try:
        conf = unmarshal_shared(stdin)  # read only
    except GoJsonError as e:
        raise CniError(
            f"decoding version from network config: {e}", code=ERR_DECODING_FAILURE
        ) from None
    v = field(conf, "cniVersion") if isinstance(conf, dict) else None
    return v if isinstance(v, str) and v else "0.1.0"


def reconcile(config: str, supported: Sequence[str]) -> None:
    """``Reconciler.Check``: the config's version must be one the plugin supports."""
    if config not in supported:
        details = f'config is "{config}", plugin supports {go_quote_list(list(supported))}'
        raise CniError(
            "incompatible CNI versions", code=ERR_INCOMPATIBLE_CNI_VERSION, details=details
        )


def encode_plugin_info(supported: Sequence[str]) -> str:
    """The ``VERSION`` output: compact JSON and a newline (``json.Encoder``)."""
    info: dict[str, Any] = {"cniVersion": CURRENT, "supportedVersions": list(supported)}
    return marshal_compact(info) + "\n"
