"""Messages to families: outbox, templates and senders (see docs/reminders.md)."""
