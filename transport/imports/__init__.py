"""Reading a council's CSV bundle (spec/import-bundle.md) into the record."""
