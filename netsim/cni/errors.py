"""The CNI error result ``{code, msg, details?}`` and the spec's codes
(``types.Error`` of containernetworking/cni v1.0.1)."""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.gojson import marshal_indent

__all__ = [
    "ERR_DECODING_FAILURE",
    "ERR_INCOMPATIBLE_CNI_VERSION",
    "ERR_INTERNAL",
    "ERR_INVALID_ENVIRONMENT_VARIABLES",
    "ERR_INVALID_NETWORK_CONFIG",
    "ERR_IO_FAILURE",
    "ERR_TRY_AGAIN_LATER",
    "ERR_UNKNOWN_CONTAINER",
    "ERR_UNSUPPORTED_FIELD",
    "CniError",
    "GoPanic",
]

ERR_INCOMPATIBLE_CNI_VERSION: Final = 1
ERR_UNSUPPORTED_FIELD: Final = 2
ERR_UNKNOWN_CONTAINER: Final = 3
ERR_INVALID_ENVIRONMENT_VARIABLES: Final = 4
ERR_IO_FAILURE: Final = 5
ERR_DECODING_FAILURE: Final = 6
ERR_INVALID_NETWORK_CONFIG: Final = 7
ERR_TRY_AGAIN_LATER: Final = 11
#: ``types.ErrInternal``: what the skel reports for every plain plugin error.
ERR_INTERNAL: Final = 999


class CniError(Exception):
    """A plugin failure.  A plugin raising it with the default code gets
    ``ErrInternal`` (999), as the skel wraps a plain Go ``error``."""

    def __init__(self, msg: str, *, code: int = ERR_INTERNAL, details: str = ""):
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The error object, ``details`` only when non-empty (``omitempty``)."""
        out: dict[str, Any] = {"code": self.code, "msg": self.msg}
        if self.details:
            out["details"] = self.details
        return out

    def render(self) -> str:
        """What ``types.Error.Print`` writes to stdout (4-space indent, no newline)."""
        return marshal_indent(self.to_json())

    def __repr__(self) -> str:
        return f"CniError({self.code}, {self.msg!r}, details={self.details!r})"


class GoPanic(Exception):
    """A Go runtime panic in the plugin: the binary prints ``stderr`` (the panic
    and its goroutine trace) and exits with status 2, nothing on stdout."""

    def __init__(self, stderr: str):
        super().__init__(stderr.splitlines()[0] if stderr else "panic")
        self.stderr = stderr
