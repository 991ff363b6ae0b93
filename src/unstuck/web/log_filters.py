"""What the server's log keeps of a refused request: one line, not a traceback.

Django logs a 4xx answer (403 for a page a role does not include, 404 for a record one may not
see) with the exception that made it, so each ordinary refusal printed a whole Python traceback
to the server's error stream, where it reads as a crash. A 5xx keeps its traceback: that is a
fault to mend.
"""

from __future__ import annotations

import logging


class RefusalsInOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
