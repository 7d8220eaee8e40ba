"""Registries: units, indicators, indices and components; their edits; the shipped reference data; deployment settings."""
