"""Security headers: no framing, no sniffing, HSTS over HTTPS, and a CSP that trusts only the hub."""

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, current_app, request

HSTS = "max-age=31536000; includeSubDomains"
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def _docs_origins() -> list[str]:
    """The CDN origins of the docs' assets, when settings ask for a CDN rather than the hub's copies."""
    urls = (current_app.config["HUB_SWAGGER_UI_URL"], current_app.config["HUB_REDOC_URL"])
    parts = [urlsplit(url) for url in urls if url]
    return sorted({f"{p.scheme}://{p.netloc}" for p in parts if p.scheme and p.netloc})


def _content_security_policy(html: bytes) -> str:
    """Only the hub's own files; the page's own inline scripts by their hash, nothing else inline."""
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    ]
    own = " ".join(["'self'", *_docs_origins()])
    return "; ".join(
        (
            "default-src 'self'",
            " ".join([f"script-src {own}", *hashes]),
            f"style-src {own} 'unsafe-inline'",  # Swagger UI and ReDoc set styles at run time
            f"img-src {own} data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",  # ReDoc's search runs in a worker made from a blob
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def _secure(response):
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.is_secure:  # behind a proxy, ProxyFix (HUB_PROXY_COUNT) makes this say what the client used
        response.headers["Strict-Transport-Security"] = HSTS
    if response.mimetype == "text/html" and not response.direct_passthrough:
        response.headers["Content-Security-Policy"] = _content_security_policy(response.get_data())
    return response


def install(app: Flask) -> None:
    """Add the headers to every response."""
    app.after_request(_secure)
