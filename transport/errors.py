"""Our own exceptions. Each carries a message meant for a person."""

from __future__ import annotations


class TransportError(Exception):
    """Base class for errors the CLI reports without a traceback."""

    exit_code = 1


class ConfigError(TransportError):
    """A setting is missing, unknown or has a bad value. The message names the key."""

    exit_code = 2


class UsageError(TransportError):
    """A command was given arguments it cannot work with."""

    exit_code = 2


class SchemaError(TransportError):
    """The database schema is missing or behind the code."""

    exit_code = 2


class DatabaseUnavailable(TransportError):
    """The database cannot be reached or opened."""

    exit_code = 2
