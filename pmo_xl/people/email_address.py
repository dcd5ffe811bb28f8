"""What counts as a usable email address: one definition for the drafts, `send` (a draft's
To:, --from, --cc) and the catalogue's mailto: links.

One mailbox as people write it, `local@domain.tld`: the local part letters and digits (any
script) with `.` between them and the marks `! $ ' * + ^ _ ` { | } ~ -`; the domain labels of
letters, digits and inner hyphens, at least two of them, the last all letters. Stricter than
the standard on purpose: a typo should be caught before the server bounces it, and nothing in
the address may read as something else — no space, `<>`, `,` or `;` (a second address), no
`?`, `&`, `#` or `%` (a mailto: header, fragment or escape), no control or invisible
character (a zero-width space, a byte-order mark, a soft hyphen, a bidi mark), which an
Email cell can hold unseen and which would send the message nowhere.
"""

from __future__ import annotations

import re

_ATOM = r"[\w!$'*+^`{|}~-]+"
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_TOP = r"[^\W\d_]{2,63}"  # the top-level domain: letters only (org, de, рф)
ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_TOP}")
MAX_LENGTH = 254  # the longest address a mail server takes (RFC 5321)
MAX_LOCAL = 64


def usable_email(value: object) -> str | None:
    """The address in `value` (surrounding spaces dropped) when it is one usable address,
    else None: a blank, a malformed address, two addresses, a name with an address, or an
    address holding a character that cannot be seen."""
    if not isinstance(value, str):
        return None
    address = value.strip()
    if len(address) > MAX_LENGTH or not ADDRESS.fullmatch(address):
        return None
    if len(address.rpartition("@")[0]) > MAX_LOCAL:
        return None
    return address
