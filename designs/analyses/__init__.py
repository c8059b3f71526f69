"""The analyses of one trial: one module per analysis, the registry that names them."""
