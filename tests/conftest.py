"""Shared fixtures are plugins under tests/support/, one module per real service."""

pytest_plugins: list[str] = [
    "tests.support.databases",
    "tests.support.dovecot",
    "tests.support.tcpproxy",
    "tests.support.ledger",
    "tests.support.smtp",
    "tests.support.postgres",
    "tests.support.webdata",
    "tests.support.browser",
]
