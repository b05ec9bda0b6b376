"""`transport serve`: requests in, one use case, a response out. Each handler verifies
and parses a request (a provider's callback), calls one use case in services/, and
renders its answer. No SQL, no sender and no business rule here (the architecture test
enforces it)."""
