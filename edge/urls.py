"""One reading of a URL's host for the checks and the connection alike.

urllib.parse (which every check of ours uses) and urllib3 (which makes the connection) split an
authority differently when it holds a character RFC 3986 does not allow there. The one that matters is
the backslash: urllib.parse reads "http://b.example\\@a.example/" as a URL on a.example (the backslash
is part of a user name), urllib3 and browsers end the host at the backslash and connect to b.example.
A check would then approve one host while the request went to another, so such a URL is refused.
"""

import string
from urllib.parse import urlsplit

# What an RFC 3986 authority may hold: unreserved, percent-encoded, sub-delims, ":", "@" and an IP
# literal's brackets. Non-ASCII letters (an internationalised name) are left to IDNA.
_AUTHORITY_ASCII = frozenset(string.ascii_letters + string.digits + "-._~%!$&'()*+,;=:@[]")


def authority_ambiguous(url: str) -> bool:
    """Whether the URL's authority holds an ASCII character RFC 3986 does not allow there (a
    backslash, a space, a control character…): parsers disagree on where its host is."""
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return True
    return any(char.isascii() and char not in _AUTHORITY_ASCII for char in netloc)
