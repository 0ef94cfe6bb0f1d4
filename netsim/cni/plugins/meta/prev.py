"""What the meta plugins share: ``version.ParsePrevResult`` and
``create.Create`` of containernetworking/cni v1.0.1 (the ``prevResult`` read in
the config's version family), Go's ``encoding/json`` type errors for a plugin's
config struct, and the Go ``*os.PathError`` texts of a ``/proc/sys`` access."""

from __future__ import annotations

import errno as _errno
import os
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.gojson import field, go_quote, type_name
from netsim.cni.result import Result
from netsim.cni.runtime_result import result_from_json
from netsim.errors import NetsimError

__all__ = ["go_field", "parse_prev_result", "path_error", "result_versions"]

#: ``create.Create``'s creators: the versions each result type accepts.
_FAMILIES: Final = (
    (("1.0.0",), ("1.0.0",)),
    (("0.3.0", "0.3.1", "0.4.0"), ("0.3.0", "0.3.1", "0.4.0")),
    (("0.1.0", "0.2.0"), ("", "0.1.0", "0.2.0")),
)
_GO_TYPES: Final = {str: "string", bool: "bool", int: "int", dict: "map[string]string"}


def result_versions(config_version: str) -> tuple[str, ...] | None:
    """The versions the result type for ``config_version`` accepts, None if none."""
    for versions, accepted in _FAMILIES:
        if config_version in versions:
            return accepted
    return None


def parse_prev_result(conf: dict[str, Any], version: str) -> Result | None:
    """``version.ParsePrevResult``: the config's ``prevResult`` as a current
    :class:`Result`, or None if there is none.  A result of another version
    family is ``could not parse prevResult: result type supports [...] but
    unmarshalled CNIVersion is "X"``; the config's own version is injected when
    the result names none."""
    raw = field(conf, "prevResult")
    if raw is None:
        return None
    accepted = result_versions(version)
    if accepted is None:
        raise CniError(f"could not parse prevResult: unsupported CNI result version {go_quote(version)}")  # fmt: skip  # noqa: E501
    got = field(raw, "cniVersion") if isinstance(raw, dict) else None
    got = version if got is None else got
    if not isinstance(got, str):
        raise CniError(f"could not parse prevResult: json: cannot unmarshal {type_name(got)} into Go struct field Result.cniVersion of type string")  # fmt: skip  # noqa: E501
    if got not in accepted:
        listed = " ".join(v for v in accepted)
        raise CniError(f"could not parse prevResult: result type supports [{listed}] but unmarshalled CNIVersion is {go_quote(got)}")  # fmt: skip  # noqa: E501
    try:
        return result_from_json({**raw, "cniVersion": got})
    except CniError as e:
        raise CniError(f"could not parse prevResult: {e.msg}") from None


def go_field(obj: dict[str, Any], key: str, kind: type, struct: str) -> Any:
    """``obj[key]`` (Go's case-insensitive match) if it has Go type ``kind``;
    ``json: cannot unmarshal T into Go struct field S.key of type K`` else.
    JSON ``null`` is the zero value."""
    v = field(obj, key)
    if v is None:
        return None
    ok = isinstance(v, kind) and not (kind is int and isinstance(v, bool))
    if kind is int and isinstance(v, float) and v.is_integer():
        v, ok = int(v), True
    if kind is dict and ok:
        bad = next((x for x in v.values() if not isinstance(x, str)), None)
        if bad is not None:
            raise CniError(f"json: cannot unmarshal {type_name(bad)} into Go struct field {struct}.{key} of type string")  # fmt: skip  # noqa: E501
    if not ok:
        raise CniError(f"json: cannot unmarshal {type_name(v)} into Go struct field {struct}.{key} of type {_GO_TYPES[kind]}")  # fmt: skip  # noqa: E501
    return v


def path_error(op: str, path: str, e: NetsimError) -> CniError:
    """Go's ``*os.PathError`` of a failed ``open``/``write``/``read`` of ``path``."""
    code = getattr(e, "errno", 0) or _errno.EIO  # KernelError, SysctlError
    if op == "write" and code in (_errno.ENOENT, _errno.EACCES, _errno.EISDIR, _errno.EPERM):
        op = "open"  # the open of O_WRONLY|O_CREATE|O_TRUNC is what fails
    return CniError(f"{op} {path}: {os.strerror(code).lower()}")
