"""Fault injection: the database, the SMTP server and Twilio going away, refusing,
failing and hanging, and the long commands killed, all through the real command line."""
