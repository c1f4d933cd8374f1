"""canonical format."""
