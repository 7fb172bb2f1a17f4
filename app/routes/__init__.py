"""HTML routes, one module per screen."""
