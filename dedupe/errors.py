"""The one exception for the user's mistakes (no input, unknown option values, unsafe output).

The CLI prints its message as one line and exits non-zero. Bad *records* never raise: they
become documents with status "error" or "empty" and go to the manifest.
"""


class DedupeError(Exception):
    """A mistake the user can fix; the message names the file (and line) and what is wrong."""
