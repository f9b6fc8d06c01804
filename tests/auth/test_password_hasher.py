"""The Argon2id parameter profiles (IPBUREAU_PASSWORD_HASH_PROFILE): production's default, the suite's cheap one."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from ipbureau.auth import security
from ipbureau.auth.security import PASSWORD_HASH_PROFILE_ENV, hash_password, needs_rehash, verify_password


def test_the_suite_hashes_with_the_cheap_argon2id_profile(test_env):
    assert test_env[PASSWORD_HASH_PROFILE_ENV] == "test"
    value = hash_password("secret")
    assert value.startswith("$argon2id$")
    parameters = extract_parameters(value)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (1, 8, 1)
    assert verify_password(value, "secret") and not verify_password(value, "wrong")
    assert not needs_rehash(value)


def test_without_a_profile_the_default_parameters_apply_and_other_hashes_are_upgraded(monkeypatch):
    cheap = hash_password("secret")
    monkeypatch.delenv(PASSWORD_HASH_PROFILE_ENV, raising=False)
    default = PasswordHasher()
    value = hash_password("secret")
    parameters = extract_parameters(value)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        default.time_cost, default.memory_cost, default.parallelism)
    assert not needs_rehash(value)
    # A hash made with other parameters still verifies, and is reported for rehashing at the next login.
    assert verify_password(cheap, "secret") and needs_rehash(cheap)


def test_an_unknown_profile_is_refused(monkeypatch):
    monkeypatch.setenv(PASSWORD_HASH_PROFILE_ENV, "fast")
    with pytest.raises(ValueError, match=PASSWORD_HASH_PROFILE_ENV):
        security.hash_password("secret")
