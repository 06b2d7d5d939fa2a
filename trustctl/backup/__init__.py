"""trustctl backup."""
