"""Layouts: the unit report, the roll-up, the tidy template and published index tables, each read from grids into rows."""
