"""Security tests (issue 9, item 4): route × role table, tokens, headers, uploads, exports, XSS, anonymity."""
