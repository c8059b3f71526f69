"""Outputs: tables, figures, methods text and the report folder. Renders; never simulates."""
