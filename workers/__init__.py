"""RQ jobs and their scheduling: thin wrappers that reload rows and call webapp operations."""
