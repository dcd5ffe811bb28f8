"""The one kind of failure a user sees as a sentence and exit code 2: the input cannot be used."""

from __future__ import annotations


class CannotCheck(Exception):
    """The master (or an output path) cannot be used; the message is one sentence for a person.

    The CLI turns it into that sentence on stderr and exit code 2, never a traceback.
    """
