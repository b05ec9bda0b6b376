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


class NoData(TransportError):
    """The database is missing, has no schema, or has never had an import: no answer
    given from it could be trusted, so none is given."""

    exit_code = 2


class NothingToSend(TransportError):
    """The command ran, and there is nothing for it to do (e.g. no usable contact)."""

    exit_code = 1


def describe_failure(exc: BaseException, *, url: str = "the database") -> tuple[str, int]:
    """One sentence for a person, and the exit code, for any failure that reaches the
    command line's boundary. Never the exception's arguments when they may hold data."""
    if isinstance(exc, TransportError):
        return str(exc), exc.exit_code
    from transport.db.failures import explain  # the database's own errors, in words

    sentence = explain(exc, url=url)
    if sentence is not None:
        return sentence, 2
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}", 2
    return (
        f"an unexpected {type(exc).__name__} stopped the command; nothing it had not "
        "committed was written. Run it again with --debug to see where",
        2,
    )


def failure_record(exc: BaseException, *, url: str = "the database") -> str:
    """What a job run records of its failure: a database's error in words (its own text
    may quote a row of children's data), ours as it is (our messages name no one)."""
    from transport.db.failures import explain

    if isinstance(exc, TransportError):
        return str(exc)
    sentence = explain(exc, url=url)
    if sentence is not None:
        return sentence
    return f"{type(exc).__name__}: {exc}"[:2000]
