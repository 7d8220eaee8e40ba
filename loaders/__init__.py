"""The write side of the CCHC Dashboard: schema, registries, loaders, batches and the command line.

No Streamlit here. Read side: the `dashboard` package.
"""
