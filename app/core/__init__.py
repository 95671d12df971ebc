"""Cross-cutting pieces: i18n, the role policy, security headers, errors, audit, home."""
