"""Messages to families: outbox, templates and senders (see spec/reminders.md)."""
