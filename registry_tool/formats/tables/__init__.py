"""tables format."""
