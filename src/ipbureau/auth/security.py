"""Password hashing (Argon2id) and signed API tokens."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_hasher = PasswordHasher()

API_TOKEN_MAX_AGE_S = 12 * 3600


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
