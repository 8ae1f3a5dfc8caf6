"""CSV import of leads: upload, column mapping, dry run, and the import job."""
