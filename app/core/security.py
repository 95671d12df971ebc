"""Security headers, the role policy hook, client address behind proxies, keyed hashes."""
import hashlib
import hmac
import ipaddress

from flask import Flask, current_app, request

from .policy import check_request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def install(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(_headers)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Survey links carry a token: never leak them to another site in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def client_address() -> str:
    """The client's address; X-Forwarded-For is believed only from a configured trusted proxy."""
    remote = request.remote_addr or ""
    trusted = set(current_app.config.get("TRUSTED_PROXIES") or ())
    if remote in trusted:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        # Walk from the right: the first hop that is not one of our proxies is the client.
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return remote


def network_prefix(address: str) -> str:
    """/24 for IPv4, /48 for IPv6 — an office or a NAT, not a person."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def keyed_hash(value: str | None, purpose: str) -> str | None:
    """HMAC-SHA256 with the server secret; raw addresses and agents are never stored."""
    if not value:
        return None
    key = (current_app.config.get("PARADATA_KEY") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
