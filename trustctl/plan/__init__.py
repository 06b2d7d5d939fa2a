"""trustctl plan."""
