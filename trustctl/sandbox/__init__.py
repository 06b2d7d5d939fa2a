"""`trustctl sandbox`: a local stand-in for production (Postgres + moto), started in the background.

Commands use it as a provider (`--sandbox`, trustctl/sandbox/provider.py); its lifecycle is
`ensure_up()`, `attach()`, `status()`, `down()` and `SandboxInfo`.
"""

from trustctl.sandbox.lifecycle import attach, down, ensure_up, status
from trustctl.sandbox.state import SandboxInfo

__all__ = ["SandboxInfo", "attach", "down", "ensure_up", "status"]
