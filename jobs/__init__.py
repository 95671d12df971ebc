"""The job runner: one declarative list of periodic jobs, run by `flask --app wsgi jobs run`.

It runs in its own process, never inside the web workers (STYLE.md).
"""
