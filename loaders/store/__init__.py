"""The store: schema and migrations, batches (one transaction per file), and the maintained tables."""
