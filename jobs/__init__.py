"""Scheduled work as plain functions; the scheduler only wires them."""
