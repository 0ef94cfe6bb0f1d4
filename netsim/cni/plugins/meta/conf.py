"""Decoding a meta plugin's config as ``json.Unmarshal`` into its Go struct does:
fields matched case-insensitively (:func:`~netsim.cni.gojson.field`), ``null``
as absent, and a value of the wrong JSON type refused with Go's text
(``json: cannot unmarshal string into Go struct field PortMapConf.snat of type
bool``).  Go reports the first such error in document order; here each field
is checked when the plugin asks for it, in the struct's order."""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.gojson import field, type_name

__all__ = ["get"]

_CHECKS: Final = {
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "[]string": lambda v: isinstance(v, list),
    "map[string]interface {}": lambda v: isinstance(v, dict),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def get(obj: Any, key: str, gotype: str, where: str, *, kind: str = "") -> Any:
    """The value of field ``key`` (None when absent or null), refused unless it
    decodes into ``gotype`` (checked as ``kind``, default ``gotype``: ``object``
    and ``array`` for structs and slices of them); ``where`` is Go's
    ``Struct.path`` of the field."""
    value = field(obj, key) if isinstance(obj, dict) else None
    if value is None:
        return None
    if not _CHECKS[kind or gotype](value):
        raise CniError(f"json: cannot unmarshal {type_name(value)} into Go struct field "
                       f"{where} of type {gotype}")  # fmt: skip
    if gotype == "[]string":
        for item in value:
            if not isinstance(item, str):
                raise CniError(f"json: cannot unmarshal {type_name(item)} into Go struct "
                               f"field {where} of type string")  # fmt: skip
    return value
