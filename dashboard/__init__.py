"""The read side of the CCHC Dashboard: queries returning DataFrames, Plotly figure builders,
Vietnamese formatting and exports. It never writes: writes go through the `loaders` package."""
