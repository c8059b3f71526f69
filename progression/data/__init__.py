"""The bundled, ILLUSTRATIVE phase 2 records, their provenance and their reconstruction."""
