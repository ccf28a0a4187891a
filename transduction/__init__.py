"""transduction package."""
