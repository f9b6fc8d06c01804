"""Password hashing (Argon2id) and the random secrets of sessions and API tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id parameter sets, chosen by IPBUREAU_PASSWORD_HASH_PROFILE. "default" is argon2-cffi's
# recommended (RFC 9106 low-memory) profile and the only one for production; "test" is the cheapest
# Argon2id there is, for the test suite, which hashes a few thousand passwords. A hash made under
# one profile verifies under the other, and needs_rehash() reports it, so a login upgrades it.
PASSWORD_HASH_PROFILE_ENV = "IPBUREAU_PASSWORD_HASH_PROFILE"
_PROFILES = {
    "default": {},
    "test": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
}


@lru_cache
def _hasher_for(profile: str) -> PasswordHasher:
    try:
        parameters = _PROFILES[profile]
    except KeyError:
        raise ValueError(f"{PASSWORD_HASH_PROFILE_ENV}={profile!r}: expected one of {sorted(_PROFILES)}") from None
    return PasswordHasher(**parameters)


def _profile() -> str:
    return os.environ.get(PASSWORD_HASH_PROFILE_ENV) or "default"


def _hasher() -> PasswordHasher:
    return _hasher_for(_profile())


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _dummy_hash_for(profile: str) -> str:
    return _hasher_for(profile).hash(secrets.token_urlsafe(16))


def verify_dummy(password: str) -> None:
    """One Argon2 verification that always fails, for a name that matches no usable account: it costs what
    verifying a real account's password costs, so the answer's timing does not tell whether the name exists. The
    dummy hash is made once per process (per profile), not per attempt."""
    verify_password(_dummy_hash_for(_profile()), password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_secret() -> str:
    """A browser session's or an API token's secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_digest(secret: str) -> str:
    """What the database keeps of a secret (SHA-256, hex). The secret is random and long, so a fast hash is
    enough: nobody can guess one from its digest, and the lookup by digest is one indexed query."""
    return hashlib.sha256(secret.encode()).hexdigest()
