"""Outlet names: the registered domain of a URL, and normalisation through a manifest table.

The registered domain ("edition.cnn.com" -> "cnn.com", "news.bbc.co.uk" -> "bbc.co.uk") is found
with the ``tld`` package, which ships a copy of the Public Suffix List and needs no network (it is
already installed as a dependency of trafilatura/courlan). A hand-written "last two labels" rule
gets every ``co.uk``/``com.au`` domain wrong; the Public Suffix List is the standard answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_IP_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    u = url.strip()
    if not _SCHEME_RE.match(u):
        u = "http://" + u.lstrip("/")
    try:
        host = urlsplit(u).hostname or ""
    except ValueError:
        return ""
    return host.strip(".").lower()


def outlet_from_url(url: str) -> str:
    """Registered domain of ``url`` ("https://www.foxnews.com/a" -> "foxnews.com"), "" if none.

    Hosts that are not under a public suffix (``localhost``, IP addresses) are returned as they
    are, without ``www.``.
    """
    if not isinstance(url, str) or not url.strip():
        return ""
    host = _host(url)
    if not host:
        return ""
    if _IP_RE.match(host) or "." not in host:
        return host
    from tld import get_fld

    fld = get_fld(host, fix_protocol=True, fail_silently=True)
    if fld:
        return fld.lower()
    return host.removeprefix("www.")


def outlet_key(name: str) -> str:
    """Comparison key for outlet names: NFKC, case-folded, whitespace collapsed, ``www.`` off."""
    s = unicodedata.normalize("NFKC", str(name)).casefold().strip()
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"#spider$", "", s)
    s = re.sub(r"^(https?://)?(www\.)?", "", s).rstrip("/")
    return s


def normalise_outlet(name: str, table: Mapping[str, str] | None = None) -> str:
    """The outlet's normalised name: ``table`` looked up by :func:`outlet_key`, else ``name``.

    ``table`` maps raw spellings (any case/spacing; a domain or URL also works) to the name the
    study uses, e.g. ``{"CNN U.S. Edition": "CNN", "cnn.com": "CNN"}``. A name not in the table
    is returned stripped of surrounding whitespace; a URL-looking name that is not in the table is
    also tried as its registered domain (``http://us.cnn.com`` -> ``cnn.com``).
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    raw = str(name).strip()
    if not raw:
        return ""
    if table:
        keyed = {outlet_key(k): v for k, v in table.items()}
        k = outlet_key(raw)
        if k in keyed:
            return keyed[k]
        if "." in k and " " not in k:
            dom = outlet_from_url(k)
            if dom in keyed:
                return keyed[dom]
    return re.sub(r"\s+", " ", raw)
