"""Password hashing (Argon2id) and signed API tokens."""

from __future__ import annotations

import os
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

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


def _hasher() -> PasswordHasher:
    return _hasher_for(os.environ.get(PASSWORD_HASH_PROFILE_ENV) or "default")

API_TOKEN_MAX_AGE_S = 12 * 3600


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="ipbureau-api-token")


def issue_api_token(secret: str, user_id: int, password_hash: str) -> str:
    # The hash's tail is folded in so that a password change revokes old tokens.
    return _serializer(secret).dumps({"uid": user_id, "pw": password_hash[-16:]})


def read_api_token(secret: str, token: str) -> tuple[int, str] | None:
    try:
        data = _serializer(secret).loads(token, max_age=API_TOKEN_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    return int(data["uid"]), str(data["pw"])
