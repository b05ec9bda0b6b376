"""School transport: the record, the day-one risk check and the renewal machinery."""
