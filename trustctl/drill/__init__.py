"""trustctl drill."""
