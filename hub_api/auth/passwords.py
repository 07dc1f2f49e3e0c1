"""Argon2id hashing of passwords and client secrets."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

EXTENSION_KEY = "hub_password_hasher"


def init_hasher(app: Flask) -> None:
    """Attach an argon2id hasher: the library's recommended costs, or cheap ones under test."""
    if app.config["TESTING"]:
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    else:
        hasher = PasswordHasher()
    # Verified against when the account does not exist, so a miss costs as much as a hit.
    app.extensions[EXTENSION_KEY] = (hasher, hasher.hash("no-such-account"))


def hash_secret(secret: str) -> str:
    """Return the argon2id hash of a password or client secret."""
    hasher, _ = current_app.extensions[EXTENSION_KEY]
    return hasher.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Check a secret against its hash, spending the same effort when there is no hash."""
    hasher, dummy = current_app.extensions[EXTENSION_KEY]
    try:
        return hasher.verify(stored_hash or dummy, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    hasher, _ = current_app.extensions[EXTENSION_KEY]
    return hasher.check_needs_rehash(stored_hash)
