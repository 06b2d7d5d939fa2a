"""trustctl sandbox."""
