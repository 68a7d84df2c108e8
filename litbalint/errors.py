"""Errors a user can cause; cli.py turns each into one line and an exit code."""


class LitbalintError(Exception):
    """A problem the user can fix; the message names the thing and what to do."""


class UnsupportedFormat(LitbalintError):
    """A file that no importer accepts."""


class DatabaseUnavailable(LitbalintError):
    """The database cannot be used at all (locked, not a database, unwritable): stop the run."""


class BadRecord(LitbalintError):
    """One record that cannot be read (too deep, too large, no valid PMID): its parser
    reports it as a Problem with its line and goes on with the next record."""
