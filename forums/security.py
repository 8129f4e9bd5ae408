"""HTTP security headers, including a Content-Security-Policy with a per-request nonce."""
import secrets

from flask import g, request


def csp_nonce():
    """Return this request's nonce for the few inline scripts the pages need."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
#: Headers every response gets unless its view set them (the private follow-up page sets its own referrer policy).
STATIC_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def content_security_policy(nonce):
    """Return the Content-Security-Policy value for a response."""
    return _POLICY.format(nonce=nonce)


def init_app(app):
    """Add the security headers to every response."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        # One pass over the response's headers: every public page pays this hook.
        present = {name.lower() for name in headers.keys()}
        if "content-security-policy" not in present:
            headers.add("Content-Security-Policy", content_security_policy(csp_nonce()))
        for name, value in STATIC_HEADERS + ((HSTS,) if request.is_secure else ()):
            if name.lower() not in present:
                headers.add(name, value)
        return response
