"""The file name a browser gives a download (a PDF letter, a CSV of team figures, ...).

A client code may hold any character (ÉLODIE-Ø, a quote, a space). Set as a plain header, a
name outside ASCII goes out as raw Latin-1 bytes or, beyond Latin-1, as an email-style
``=?utf-8?b?...?=`` word that browsers do not read; a quote ends the name early. RFC 6266 gives
the name twice instead: an ASCII ``filename`` every browser understands, and the exact name in
``filename*`` (RFC 8187). (Django's ``content_disposition_header`` gives such a name only as
``filename*``, with no ASCII name beside it.)"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# The characters kept as they are in the ASCII name; any other becomes "_".
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def ascii_filename(filename: str) -> str:
    """`filename` in safe ASCII: accents dropped (É -> E), other characters as "_"."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", filename) if not unicodedata.combining(c)
    )
    return _UNSAFE.sub("_", plain)


def content_disposition(filename: str, *, as_attachment: bool) -> str:
    """The Content-Disposition header value naming the file `filename` (pure ASCII)."""
    disposition = "attachment" if as_attachment else "inline"
    fallback = ascii_filename(filename)
    if fallback == filename:
        return f'{disposition}; filename="{filename}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
