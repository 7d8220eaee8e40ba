"""The command lines of `python -m loaders`: one module per group of commands, thin over the library."""
