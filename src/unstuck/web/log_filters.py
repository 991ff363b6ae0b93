"""What the server's log keeps of a refused request: one line, not a traceback.

Django logs a 4xx answer (403 for a page a role does not include, 404 for a record one may not
see) with the exception that made it, so each ordinary refusal printed a whole Python traceback
to the server's error stream, where it reads as a crash. A 5xx keeps its traceback: that is a
fault to mend.

A client's private link is a secret (Unstuck keeps only its hash), and Django names the path of
each refused request in that line: a link opened while its address was paused for too many
wrong tries (it still works afterwards) was written out whole. Its token never reaches the log.
"""

from __future__ import annotations

import logging
import re

# A private link's path (urls.py: "q/<token>/"), its token the part to hide.
LINK_TOKEN = re.compile(r"(/q/)[^/\s]+")
HIDDEN_TOKEN = r"\g<1>(private link)"


class RefusalsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class LinksHidden(logging.Filter):
    """Write a private link's path as ``/q/(private link)/``, whatever the answer to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = LINK_TOKEN.sub(HIDDEN_TOKEN, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                LINK_TOKEN.sub(HIDDEN_TOKEN, a) if isinstance(a, str) else a for a in record.args
            )
        return True
