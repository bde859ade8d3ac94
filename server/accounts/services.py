"""Accounts: signup, login with throttling, rotating refresh tokens, password change, API keys.

Every function is keyword-only and async; each says what it raises (AccountsError unless noted).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from server import access
from server.accounts.errors import AccountsError, AccountsErrorCode
from server.accounts.models import ApiKey, RefreshToken, Role, User
from server.companies.models import Company
from server.security import passwords
from server.security.throttle import AttemptCounter, Limits, attempt_counter
from server.security.tokens import (
    InvalidToken,
    decode_access_token,
    issue_access_token,
    new_opaque_token,
    token_digest,
)
from server.settings import Settings, get_settings

EMAIL_RE = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
# Scope names live in server/access.py; legacy names ("receipts") are stored as their replacements.
# `sbk_<12 hex>_<token_urlsafe secret>`, as `create_api_key` makes them.
API_KEY_RE = re.compile(r"sbk_([0-9a-f]{12})_([A-Za-z0-9_-]{16,128})")
API_KEY_SCOPES = access.KEY_SCOPE_NAMES


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime
    user: User


def normalise_email(email: str) -> str:
    """Trim and lower-case the whole address, so one mailbox maps to one account."""
    value = email.strip().lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise AccountsError(
            AccountsErrorCode.INVALID_EMAIL, "Email address is not valid.", field="email"
        )
    return value


def _check_password(
    password: str, *, email: str, settings: Settings, field: str = "password"
) -> None:
    problem = passwords.password_problem(
        password, email=email, min_length=settings.password_min_length
    )
    if problem:
        raise AccountsError(AccountsErrorCode.WEAK_PASSWORD, problem, field=field)


async def signup(
    *, email: str, password: str, role: Role = Role.USER, ip: str | None = None
) -> User:
    """Create an account. Raises INVALID_EMAIL, WEAK_PASSWORD, THROTTLED, EMAIL_TAKEN.

    EMAIL_TAKEN is for trusted callers (CLI, tests): the GraphQL `signup` answers it exactly like
    a success, so that signup does not tell who has an account. To keep the two alike, the
    password is hashed either way (same timing), and with `ip` the attempt is first throttled per
    client address (SIGNUP_IP_MAX_ATTEMPTS per LOGIN_WINDOW_SECONDS).
    """
    settings = get_settings()
    email = normalise_email(email)
    _check_password(password, email=email, settings=settings)
    if ip is not None:
        limits = Limits(
            account=settings.signup_ip_max_attempts,
            client=settings.signup_ip_max_attempts,
            window_seconds=settings.login_window_seconds,
        )
        attempt = await _counter(settings).hit(account="", client=f"signup:{ip}", limits=limits)
        if attempt.refused_for_seconds:
            raise _throttled(attempt.refused_for_seconds)
    password_hash = await passwords.hash_password(password)
    taken = AccountsError(
        AccountsErrorCode.EMAIL_TAKEN, "An account already uses this email.", field="email"
    )
    if await User.exists(email=email):
        raise taken
    try:
        return await User.create(email=email, password_hash=password_hash, role=role)
    except Exception as exc:  # the unique index settles a race between two signups
        if await User.exists(email=email):
            raise taken from exc
        raise


def _counter(settings: Settings) -> AttemptCounter:
    return attempt_counter(settings.redis_url)


def _login_limits(settings: Settings) -> Limits:
    return Limits(
        account=settings.login_max_failures,
        client=settings.login_ip_max_failures,
        window_seconds=settings.login_window_seconds,
    )


def _throttled(seconds: int) -> AccountsError:
    return AccountsError(
        AccountsErrorCode.THROTTLED,
        f"Too many attempts. Try again in {seconds} seconds.",
        retry_after_seconds=seconds,
    )


async def _issue_tokens(user: User, *, family: uuid.UUID, settings: Settings) -> TokenPair:
    now = datetime.now(UTC)
    refresh = new_opaque_token()
    refresh_expires = now + timedelta(days=settings.refresh_token_days)
    await RefreshToken.create(
        user=user, family=family, token_hash=token_digest(refresh), expires_at=refresh_expires
    )
    access = issue_access_token(
        user_id=user.id,
        role=user.role.value,
        secret=settings.secret_key,
        minutes=settings.access_token_minutes,
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        access_expires_at=now + timedelta(minutes=settings.access_token_minutes),
        refresh_expires_at=refresh_expires,
        user=user,
    )


async def login(*, email: str, password: str, ip: str) -> TokenPair:
    """Check credentials and start a new refresh-token family. Raises INVALID_CREDENTIALS,
    THROTTLED (counted per email and per client address before the password is checked)."""
    settings = get_settings()
    email = email.strip().lower()
    counter = _counter(settings)
    attempt = await counter.hit(account=email, client=ip, limits=_login_limits(settings))
    if attempt.refused_for_seconds:
        raise _throttled(attempt.refused_for_seconds)
    user = await User.get_or_none(email=email)
    ok = await passwords.verify_password(
        user.password_hash if user else passwords.dummy_hash(), password
    )
    if not (user and ok and user.is_active):
        raise AccountsError(AccountsErrorCode.INVALID_CREDENTIALS, "Email or password is wrong.")
    # The owner proved the password: forget the account's failures and give back this attempt's
    # place on the client address (other addresses' counters are left as they are).
    await counter.reset_account(email)
    await counter.release(attempt)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
        await user.save(update_fields=["password_hash", "updated_at"])
    return await _issue_tokens(user, family=uuid.uuid4(), settings=settings)


async def refresh(*, refresh_token: str) -> TokenPair:
    """Spend a refresh token and issue the next of its family.

    Raises INVALID_REFRESH_TOKEN; REFRESH_TOKEN_REUSED when a spent token comes back (it may have
    been stolen), after revoking the whole family so neither holder can continue.
    """
    settings = get_settings()
    now = datetime.now(UTC)
    digest = token_digest(refresh_token)
    async with in_transaction():
        token = await RefreshToken.get_or_none(token_hash=digest).select_related("user")
        if token is None or token.revoked_at or token.expires_at <= now or not token.user.is_active:
            raise AccountsError(
                AccountsErrorCode.INVALID_REFRESH_TOKEN, "Refresh token is not valid."
            )
        # Spend it with a conditional update so two concurrent refreshes cannot both succeed.
        spent = await RefreshToken.filter(id=token.id, used_at__isnull=True).update(used_at=now)
    if not spent:
        await RefreshToken.filter(family=token.family, revoked_at__isnull=True).update(
            revoked_at=now
        )
        raise AccountsError(
            AccountsErrorCode.REFRESH_TOKEN_REUSED,
            "This refresh token was already used; every session of this login is now signed out.",
        )
    return await _issue_tokens(token.user, family=token.family, settings=settings)


async def logout(*, refresh_token: str) -> bool:
    """Revoke the refresh-token family of this login. Returns whether anything was revoked."""
    token = await RefreshToken.get_or_none(token_hash=token_digest(refresh_token))
    if token is None:
        return False
    await RefreshToken.filter(family=token.family, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    return True


async def change_password(
    *, user: User, current_password: str, new_password: str, ip: str = "unknown"
) -> TokenPair:
    """Change the password, sign out every other session and return fresh tokens.

    Raises INVALID_CREDENTIALS (current password wrong), WEAK_PASSWORD, THROTTLED (guesses of
    the current password count against the account like failed logins: a stolen access token
    must not become a way to brute-force the password).
    """
    settings = get_settings()
    counter = _counter(settings)
    attempt = await counter.hit(account=user.email, client=ip, limits=_login_limits(settings))
    if attempt.refused_for_seconds:
        raise _throttled(attempt.refused_for_seconds)
    if not await passwords.verify_password(user.password_hash, current_password):
        raise AccountsError(
            AccountsErrorCode.INVALID_CREDENTIALS,
            "Current password is wrong.",
            field="current_password",
        )
    await counter.reset_account(user.email)
    await counter.release(attempt)
    _check_password(new_password, email=user.email, settings=settings, field="new_password")
    now = datetime.now(UTC)
    user.password_hash = await passwords.hash_password(new_password)
    # JWT `iat` has one-second resolution: tokens from this very second stay valid.
    user.tokens_valid_after = now.replace(microsecond=0)
    await user.save(update_fields=["password_hash", "tokens_valid_after", "updated_at"])
    await RefreshToken.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    return await _issue_tokens(user, family=uuid.uuid4(), settings=settings)


async def user_for_access_token(token: str) -> User | None:
    """The active user an access token names, or None when it is invalid in any way."""
    settings = get_settings()
    try:
        claims = decode_access_token(token, secret=settings.secret_key)
    except InvalidToken:
        return None
    user = await _active_user(claims.user_id)
    if user is None or (user.tokens_valid_after and claims.issued_at < user.tokens_valid_after):
        return None
    return user


# Client class -> (SQL, its parameters, where the user id goes). Every authenticated request
# reads its user; building that one SELECT through Tortoise's query builder costs ~0.3 ms, more
# than running it. So Tortoise writes it once per kind of connection (its own dialect and
# placeholders) and requests reuse it: still one SELECT by primary key per request, so a
# deactivated user or a revoked session (tokens_valid_after) is refused at once, no cache.
_USER_BY_ID: dict[type, tuple[str, list[Any], int]] = {}
_SENTINEL_ID = uuid.UUID(int=0)


async def _active_user(user_id: uuid.UUID) -> User | None:
    """The active user with this id, as a full model (services may change and save it)."""
    db = User._choose_db()  # the task's transaction, if any, as Tortoise would choose
    prepared = _USER_BY_ID.get(type(db))
    id_field = User._meta.pk
    if prepared is None:
        query = User.filter(id=_SENTINEL_ID, is_active=True).limit(1)
        query._db = db
        query._make_query()
        sql, params = query.query.get_parameterized_sql()
        position = params.index(id_field.to_db_value(_SENTINEL_ID, User))
        prepared = _USER_BY_ID[type(db)] = (sql, list(params), position)
    sql, params, position = prepared
    params = list(params)
    params[position] = id_field.to_db_value(user_id, User)
    _, rows = await db.execute_query(sql, params)
    return User._init_from_db(**dict(rows[0])) if rows else None


async def create_admin(*, email: str, password: str) -> User:
    """Create an ADMIN account, or promote an existing one (used by `python -m server create-admin`)."""
    email = normalise_email(email)
    user = await User.get_or_none(email=email)
    if user is None:
        return await signup(email=email, password=password, role=Role.ADMIN)
    user.role = Role.ADMIN
    await user.save(update_fields=["role", "updated_at"])
    return user


async def create_api_key(
    *,
    owner: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    company: Company | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is shown this once only. With
    `company`, the key acts for that company (`owner`, its ADMIN, creates it: the caller's rule
    checked that).

    Raises INVALID_INPUT for an empty name, unknown scopes, the `admin` scope on a key whose
    owner is not an ADMIN, a scope a company's key may not carry, or an expiry in the past.
    """
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise AccountsError(
            AccountsErrorCode.INVALID_INPUT, "Name must have 1 to 100 characters.", field="name"
        )
    unknown = sorted(set(scopes) - API_KEY_SCOPES)
    if unknown or not scopes:
        raise AccountsError(
            AccountsErrorCode.INVALID_INPUT,
            f"Scopes must be among {', '.join(sorted(access.SCOPES))}; got {', '.join(unknown) or 'none'}.",
            field="scopes",
        )
    if access.ADMIN in scopes and not owner.is_admin:
        raise AccountsError(
            AccountsErrorCode.INVALID_INPUT,
            "Only an administrator's key may carry the 'admin' scope.",
            field="scopes",
        )
    beyond = sorted(access.normalise_scopes(scopes) - access.COMPANY_KEY_SCOPES)
    if company is not None and beyond:
        raise AccountsError(
            AccountsErrorCode.INVALID_INPUT,
            f"A company's key may carry only {', '.join(sorted(access.COMPANY_KEY_SCOPES))}; "
            f"got {', '.join(beyond)}.",
            field="scopes",
        )
    if expires_at is not None and expires_at <= datetime.now(UTC):
        raise AccountsError(
            AccountsErrorCode.INVALID_INPUT, "Expiry must be in the future.", field="expires_at"
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = await ApiKey.create(
        name=name,
        prefix=prefix,
        secret_hash=token_digest(secret),
        scopes=sorted(access.normalise_scopes(scopes)),
        owner=owner,
        company=company,
        expires_at=expires_at,
    )
    return key, f"sbk_{prefix}_{secret}"


async def revoke_api_key(*, key_id: uuid.UUID, company_id: uuid.UUID | None = None) -> ApiKey:
    """Revoke a key (idempotent); with `company_id`, only a key of that company. Raises
    NOT_FOUND."""
    key = await ApiKey.get_or_none(id=key_id)
    if key is None or (company_id is not None and key.company_id != company_id):
        raise AccountsError(AccountsErrorCode.NOT_FOUND, "No such API key.", field="id")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at", "updated_at"])
    return key


async def api_key_for_header(value: str) -> ApiKey | None:
    """The live key an `X-API-Key` header names (recording its use), or None."""
    # Checked before any query: a malformed header (a NUL byte, a 10 kB prefix) is just "no key".
    match = API_KEY_RE.fullmatch(value.strip())
    if match is None:
        return None
    prefix, secret = match.groups()
    key = await ApiKey.get_or_none(prefix=prefix).select_related("owner", "company")
    now = datetime.now(UTC)
    if (
        key is None
        or not secrets.compare_digest(key.secret_hash, token_digest(secret))
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
        # A user's key dies with its owner's account (deactivated, or deleted: no owner left);
        # a company's key belongs to the company, whoever created it.
        or (key.company_id is None and (key.owner is None or not key.owner.is_active))
    ):
        return None
    # One write per minute at most: last-used time is informative, not an audit log.
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        key.last_used_at = now
        await ApiKey.filter(id=key.id).update(last_used_at=now)
    return key
