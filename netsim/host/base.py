"""What every Host operation module shares: the initial namespace's name."""

from __future__ import annotations

from typing import Final

__all__ = ["INIT_NET"]

#: The initial network namespace, as Host operations name it.
INIT_NET: Final = "init_net"
