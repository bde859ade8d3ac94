"""Inviting people into a company, and accepting, revoking and listing invitations.

An invitation is single use and expires (INVITATION_TTL_HOURS). Its token
(`secrets.token_urlsafe(32)`) exists only in the link; the row keeps its SHA-256. With SMTP_URL
set, the link goes by email through the outbox (written in the invitation's transaction,
delivered after the commit; `server.companies.mail`) and is NOT returned to the admin; without
SMTP_URL the link is returned to the inviting admin, who passes it on.

Inviting an address that already has a pending invitation to the company replaces it: same
row, a new token, a new expiry and the new role; the old link stops working
(INVITATION_NOT_FOUND). A company sends at most INVITATIONS_PER_HOUR invitations (new or
re-sent: each is an email) per rolling hour (INVITATIONS_THROTTLED), so it cannot be used to
flood mailboxes, not even one address invited again and again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from server import outbox
from server.accounts.errors import AccountsError
from server.accounts.models import User
from server.accounts.services import normalise_email
from server.companies.errors import CompaniesError, CompaniesErrorCode
from server.companies.mail import INVITATION_EMAIL, seal_link
from server.companies.models import Company, CompanyRole, Invitation, Membership
from server.outbox.models import OutboxMessage
from server.settings import get_settings

# An invited address's local part is an RFC 5322 dot-atom: the email's To header must name that
# one mailbox, never a list (`root,victim@example.com`), a display name or a comment.
DOT_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


class InvitationStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= (now or datetime.now(UTC)):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SentInvitation:
    """An invitation just made; `link` only when no email carries it (SMTP_URL unset)."""

    invitation: Invitation
    link: str | None
    emailed: bool


def _error(code: CompaniesErrorCode, message: str, field: str | None = None) -> CompaniesError:
    return CompaniesError(code, message, field=field)


async def invite_member(
    *, company_id: uuid.UUID, inviter: User | None, email: str, role: CompanyRole
) -> SentInvitation:
    """Invite `email` to the company with `role` (see the module's docstring). Raises NOT_FOUND,
    INVALID_EMAIL, ALREADY_MEMBER, INVITATIONS_THROTTLED."""
    settings = get_settings()
    try:
        email = normalise_email(email)
    except AccountsError as exc:
        raise _error(CompaniesErrorCode.INVALID_EMAIL, exc.message, "email") from exc
    if not DOT_ATOM.match(email.rsplit("@", 1)[0]):
        raise _error(
            CompaniesErrorCode.INVALID_EMAIL,
            "Email address is not valid (quotes, commas, brackets... are not allowed).",
            "email",
        )
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires_at = now + timedelta(hours=settings.invitation_ttl_hours)
    link = settings.invitation_url_template.replace("{token}", token)
    message = None
    async with in_transaction():
        company = await Company.filter(id=company_id).select_for_update().first()
        if company is None:
            raise _error(CompaniesErrorCode.NOT_FOUND, "No such company.", "company_id")
        if await Membership.filter(company_id=company_id, user__email=email).exists():
            raise _error(
                CompaniesErrorCode.ALREADY_MEMBER, "This person is already a member.", "email"
            )
        sent = await _sent_last_hour(company_id, now, emails=bool(settings.smtp_url))
        if sent >= settings.invitations_per_hour:
            raise _error(
                CompaniesErrorCode.INVITATIONS_THROTTLED,
                f"At most {settings.invitations_per_hour} invitations per hour; try again later.",
            )
        pending = (
            await Invitation.filter(
                company_id=company_id,
                email=email,
                accepted_at=None,
                revoked_at=None,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if pending is None:
            invitation = await Invitation.create(
                company_id=company_id,
                email=email,
                role=role,
                token_hash=token_hash(token),
                invited_by=inviter,
                expires_at=expires_at,
            )
        else:  # re-invited: the old token dies with this new one
            invitation = pending
            invitation.role = role
            invitation.token_hash = token_hash(token)
            invitation.invited_by = inviter  # type: ignore[assignment]
            invitation.expires_at = expires_at
            await invitation.save(
                update_fields=["role", "token_hash", "invited_by_id", "expires_at", "updated_at"]
            )
        if settings.smtp_url:
            message = await outbox.add(
                INVITATION_EMAIL,
                {
                    "invitation_id": str(invitation.id),
                    "to": email,
                    "company_name": company.name,
                    "role": role.value,
                    "expires_at": expires_at.strftime("%Y-%m-%d %H:%M"),
                    "sealed_link": seal_link(link, invitation_id=invitation.id, settings=settings),
                },
                # The token's hash: a re-sent invitation is a new email, a retried one is not.
                idempotency_key=invitation_email_key(company_id, invitation.token_hash),
            )
    if message is not None:
        await outbox.dispatch_soon(message)
        return SentInvitation(invitation=invitation, link=None, emailed=True)
    return SentInvitation(invitation=invitation, link=link, emailed=False)


def invitation_email_key(company_id: uuid.UUID, digest: str) -> str:
    """The outbox key of the email carrying a token: the company first, so the throttle counts
    a company's invitation emails by the key's prefix."""
    return f"{INVITATION_EMAIL}:{company_id}:{digest}"


async def _sent_last_hour(company_id: uuid.UUID, now: datetime, *, emails: bool) -> int:
    """What INVITATIONS_PER_HOUR counts: with SMTP, the invitation emails the company queued in
    the last hour (a re-send replaces the row but is one more email); without, the invitations
    made or re-made (the links returned)."""
    since = now - timedelta(hours=1)
    if emails:
        prefix = invitation_email_key(company_id, "")
        return await OutboxMessage.filter(
            effect_kind=INVITATION_EMAIL, idempotency_key__startswith=prefix, created_at__gt=since
        ).count()
    return await Invitation.filter(company_id=company_id, updated_at__gt=since).count()


async def accept_invitation(*, user: User, token: str) -> Membership:
    """Join the company an invitation is for, with its role; the invitation is then used. The
    signed-in user's email must be the invited one (ignoring case). Raises
    INVITATION_NOT_FOUND, INVITATION_EMAIL_MISMATCH, INVITATION_REVOKED, INVITATION_USED,
    INVITATION_EXPIRED, ALREADY_MEMBER."""
    digest = token_hash(token.strip())
    now = datetime.now(UTC)
    async with in_transaction():
        invitation = await Invitation.filter(token_hash=digest).select_for_update().first()
        if invitation is None:
            raise _error(
                CompaniesErrorCode.INVITATION_NOT_FOUND,
                "This invitation link is not valid (a newer invitation may have replaced it).",
                "token",
            )
        if invitation.email != user.email.strip().lower():
            raise _error(
                CompaniesErrorCode.INVITATION_EMAIL_MISMATCH,
                "This invitation is for another email address: sign in with that one.",
                "token",
            )
        status = status_of(invitation, now)
        if status is InvitationStatus.REVOKED:
            raise _error(
                CompaniesErrorCode.INVITATION_REVOKED, "This invitation was revoked.", "token"
            )
        if status is InvitationStatus.ACCEPTED:
            raise _error(
                CompaniesErrorCode.INVITATION_USED, "This invitation was already used.", "token"
            )
        if status is InvitationStatus.EXPIRED:
            raise _error(
                CompaniesErrorCode.INVITATION_EXPIRED,
                "This invitation has expired: ask for a new one.",
                "token",
            )
        if await Membership.exists(company_id=invitation.company_id, user_id=user.id):
            raise _error(CompaniesErrorCode.ALREADY_MEMBER, "You are already a member.", "token")
        # Conditional: of two concurrent accepts, one updates the row and the other finds it
        # used (the row lock above already serialises them on PostgreSQL).
        taken = await Invitation.filter(id=invitation.id, accepted_at=None, revoked_at=None).update(
            accepted_at=now, accepted_by_id=user.id, updated_at=now
        )
        if not taken:
            raise _error(
                CompaniesErrorCode.INVITATION_USED, "This invitation was already used.", "token"
            )
        try:
            membership = await Membership.create(
                company_id=invitation.company_id, user_id=user.id, role=invitation.role
            )
        except IntegrityError as exc:
            raise _error(
                CompaniesErrorCode.ALREADY_MEMBER, "You are already a member.", "token"
            ) from exc
    return membership


async def revoke_invitation(*, company_id: uuid.UUID, invitation_id: uuid.UUID) -> Invitation:
    """Revoke a pending invitation of this company (its link stops working). Raises
    INVITATION_NOT_FOUND (also for another company's), INVITATION_USED."""
    now = datetime.now(UTC)
    async with in_transaction():
        invitation = (
            await Invitation.filter(id=invitation_id, company_id=company_id)
            .select_for_update()
            .first()
        )
        if invitation is None:
            raise _error(
                CompaniesErrorCode.INVITATION_NOT_FOUND, "No such invitation.", "invitation_id"
            )
        if invitation.accepted_at is not None:
            raise _error(
                CompaniesErrorCode.INVITATION_USED,
                "This invitation was accepted: remove the member instead.",
                "invitation_id",
            )
        if invitation.revoked_at is None:
            invitation.revoked_at = now
            await invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


async def invitations_of(company_ids: list[uuid.UUID]) -> list[list[Invitation]]:
    """Each company's invitations, newest first, in one query."""
    grouped: dict[uuid.UUID, list[Invitation]] = defaultdict(list)
    rows = await Invitation.filter(company_id__in=company_ids).order_by("-created_at", "-id")
    for row in rows:
        grouped[row.company_id].append(row)
    return [grouped.get(company_id, []) for company_id in company_ids]
