"""`trustctl sandbox`: a local stand-in for production (Postgres + moto), started in the background.

Other flows use it through `ensure_up()`, `status()`, `down()` and `SandboxInfo`.
"""

from trustctl.sandbox.lifecycle import down, ensure_up, status
from trustctl.sandbox.state import SandboxInfo

__all__ = ["SandboxInfo", "down", "ensure_up", "status"]
