"""text format."""
