"""Pages of the indicators."""
