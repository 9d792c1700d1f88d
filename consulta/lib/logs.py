"""Log lines never carry a personal link's token: Django logs the path of every 4xx and 5xx
response ("Not Found: /en/r/<token>/"), and a token in a log is a working key to someone's
registration and answers for whoever reads the logs."""

import logging
import re

# A signed token ("payload:signature", see consulta.signed_links) always holds a colon;
# Consulta's own path segments (slugs, codes, keys) never do.
SIGNED_SEGMENT = re.compile(r"/[^/\s]*:[^/\s]*")


def redact(text: str) -> str:
    return SIGNED_SEGMENT.sub("/…", text)


class RedactTokens(logging.Filter):
    """Replaces signed tokens in a record's message and arguments by "…"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
