"""Reading a council's CSV bundle (docs/import-format.md) into the record."""
