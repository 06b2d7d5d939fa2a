"""trustctl gate."""
