"""inviteMember, acceptInvitation, revokeInvitation: single-use links that expire, emailed
through the outbox to a real SMTP server, or returned to the admin without SMTP."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from schema.core.relay import global_id
from server import outbox
from server.companies.invitations import invitation_email_key, token_hash
from server.companies.mail import INVITATION_EMAIL
from server.companies.models import CompanyRole, Invitation, Membership
from server.outbox.models import OutboxMessage, OutboxStatus
from server.settings import get_settings
from tests.companies.factories import join, make_company
from tests.companies.smtp import Mailbox, smtp_fixture  # noqa: F401  (the `smtp` fixture)
from tests.conftest import data_of
from tests.factories import make_user, unique_email

INVITE = """
mutation Invite($input: InviteMemberInput!) {
  inviteMember(input: $input) {
    invitation { id email role status expiresAt }
    link emailed
    errors { field code message }
  }
}"""
ACCEPT = """
mutation Accept($token: String!) {
  acceptInvitation(token: $token) {
    membership { role company { id name } }
    errors { field code }
  }
}"""
REVOKE = """
mutation Revoke($companyId: ID!, $invitationId: ID!) {
  revokeInvitation(companyId: $companyId, invitationId: $invitationId) {
    invitation { id status revokedAt }
    errors { code }
  }
}"""
INVITATIONS = """
query Invitations($id: ID!) { company(id: $id) { invitations { id email status role } } }"""


async def invite(gql, admin, company, email, role="MEMBER"):
    variables = {"input": {"companyId": global_id("Company", company.id), "email": email,
                           "role": role}}  # fmt: skip
    return data_of(await gql(INVITE, variables, token=admin.token))["inviteMember"]


async def accept(gql, account, token):
    return data_of(await gql(ACCEPT, {"token": token}, token=account.token))["acceptInvitation"]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def test_an_invitation_by_email_is_accepted_once(gql, smtp, caplog):
    # given: Alice runs a company; Nina has no account yet
    alice = await make_user()
    company = await make_company(alice, name="Fromagerie")
    nina_email = unique_email("nina")
    caplog.set_level(logging.DEBUG, logger="scanbase")
    # when: Alice invites her (mixed case) as ADMIN
    sent = await invite(gql, alice, company, nina_email.upper(), role="ADMIN")
    # then: no link comes back; an email carries it
    assert sent["errors"] == []
    assert (sent["link"], sent["emailed"]) == (None, True)
    assert sent["invitation"]["email"] == nina_email
    assert (sent["invitation"]["status"], sent["invitation"]["role"]) == ("PENDING", "ADMIN")
    (message,) = await smtp.wait_for(1)
    assert message["To"] == nina_email
    assert "Fromagerie" in message["Subject"]
    token = Mailbox.token_in(message)
    # only the token's hash is stored, in the invitation and in the outbox row
    stored = await Invitation.get(company_id=company.id)
    assert stored.token_hash == token_hash(token)
    row = await OutboxMessage.get(
        idempotency_key=invitation_email_key(company.id, stored.token_hash)
    )
    for _ in range(100):  # the handler records DELIVERED just after the server's answer
        if row.status == OutboxStatus.DELIVERED:
            break
        await asyncio.sleep(0.02)
        await row.refresh_from_db()
    assert row.status == OutboxStatus.DELIVERED
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("scanbase"))
    assert token not in str(row.payload) and token not in ours
    # when: Nina signs up, then accepts
    nina = await make_user(email=nina_email)
    accepted = await accept(gql, nina, token)
    # then: she is an ADMIN of the company
    assert accepted["errors"] == []
    assert accepted["membership"]["role"] == "ADMIN"
    assert accepted["membership"]["company"]["name"] == "Fromagerie"
    membership = await Membership.get(company_id=company.id, user_id=nina.user.id)
    assert membership.role == CompanyRole.ADMIN
    # and the link works once only
    again = await accept(gql, nina, token)
    assert again["errors"] == [{"field": "token", "code": "INVITATION_USED"}]
    listed = data_of(
        await gql(INVITATIONS, {"id": global_id("Company", company.id)}, token=alice.token)
    )["company"]["invitations"]
    assert [(i["email"], i["status"]) for i in listed] == [(nina_email, "ACCEPTED")]


async def test_without_smtp_the_link_goes_back_to_the_admin(gql, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "smtp_url", None)
    alice, bob = await make_user(), await make_user()
    company = await make_company(alice)
    before = await OutboxMessage.filter(effect_kind=INVITATION_EMAIL).count()
    # when
    sent = await invite(gql, alice, company, bob.email)
    # then
    assert sent["emailed"] is False
    template = get_settings().invitation_url_template
    assert sent["link"].startswith(template.split("{token}")[0])
    assert await OutboxMessage.filter(effect_kind=INVITATION_EMAIL).count() == before
    accepted = await accept(gql, bob, token_of(sent["link"]))
    assert accepted["membership"]["role"] == "MEMBER"


async def test_expired_other_email_revoked_unknown_and_replaced_links(gql, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "smtp_url", None)
    alice, bob, eve = await make_user(), await make_user(), await make_user()
    company = await make_company(alice)
    gid = global_id("Company", company.id)
    # an expired invitation
    expired = await invite(gql, alice, company, bob.email)
    await Invitation.filter(email=bob.email).update(
        expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    # then
    assert (await accept(gql, bob, token_of(expired["link"])))["errors"][0]["code"] == (
        "INVITATION_EXPIRED"
    )
    # a pending one, for Bob: Eve cannot use it
    fresh = await invite(gql, alice, company, bob.email)
    assert (await accept(gql, eve, token_of(fresh["link"])))["errors"][0]["code"] == (
        "INVITATION_EMAIL_MISMATCH"
    )
    # inviting Bob again replaces his link: the old one is unknown, the new one works later
    replaced = await invite(gql, alice, company, bob.email, role="ADMIN")
    assert replaced["invitation"]["id"] == fresh["invitation"]["id"]
    assert (await accept(gql, bob, token_of(fresh["link"])))["errors"][0]["code"] == (
        "INVITATION_NOT_FOUND"
    )
    # revoked: its link stops working
    revoked = data_of(
        await gql(
            REVOKE,
            {"companyId": gid, "invitationId": replaced["invitation"]["id"]},
            token=alice.token,
        )
    )["revokeInvitation"]
    assert revoked["invitation"]["status"] == "REVOKED"
    assert (await accept(gql, bob, token_of(replaced["link"])))["errors"][0]["code"] == (
        "INVITATION_REVOKED"
    )
    assert (await accept(gql, bob, "no-such-token"))["errors"][0]["code"] == (
        "INVITATION_NOT_FOUND"
    )
    assert not await Membership.exists(company_id=company.id, user_id=bob.user.id)


async def test_members_and_other_companies_cannot_invite_and_members_are_not_reinvited(
    gql, monkeypatch
):
    # given: Mia is a MEMBER of Alice's company; Bob runs another one
    monkeypatch.setattr(get_settings(), "smtp_url", None)
    alice, mia, bob = await make_user(), await make_user(), await make_user()
    company = await make_company(alice)
    await join(company, mia)
    bobs = await make_company(bob)
    variables = {"input": {"companyId": global_id("Company", company.id), "email": unique_email()}}
    # when / then: a member and a stranger are refused, and nothing is made
    for who in (mia, bob):
        refused = await gql(INVITE, variables, token=who.token)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await Invitation.filter(company_id=company.id).count() == 0
    # Bob's companyId in his own company's name cannot revoke Alice's invitation either
    sent = await invite(gql, alice, company, unique_email())
    other = data_of(
        await gql(
            REVOKE,
            {"companyId": global_id("Company", bobs.id), "invitationId": sent["invitation"]["id"]},
            token=bob.token,
        )
    )["revokeInvitation"]
    assert other["errors"] == [{"code": "INVITATION_NOT_FOUND"}]
    # a member is not invited again
    again = await invite(gql, alice, company, mia.email.upper())
    assert again["errors"][0]["code"] == "ALREADY_MEMBER"
    # a plain member does not see the invitations
    hidden = await gql(INVITATIONS, {"id": global_id("Company", company.id)}, token=mia.token)
    assert hidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_two_concurrent_accepts_make_one_membership(gql, monkeypatch):
    # given
    monkeypatch.setattr(get_settings(), "smtp_url", None)
    alice, bob = await make_user(), await make_user()
    company = await make_company(alice)
    token = token_of((await invite(gql, alice, company, bob.email))["link"])
    # when
    results = await asyncio.gather(*(accept(gql, bob, token) for _ in range(4)))
    # then
    assert sorted(r["errors"][0]["code"] if r["errors"] else "OK" for r in results) == [
        "INVITATION_USED",
        "INVITATION_USED",
        "INVITATION_USED",
        "OK",
    ]
    assert await Membership.filter(company_id=company.id, user_id=bob.user.id).count() == 1


async def test_invitations_are_throttled_per_company(gql, monkeypatch):
    # given: a limit of 3 an hour
    monkeypatch.setattr(get_settings(), "smtp_url", None)
    monkeypatch.setattr(get_settings(), "invitations_per_hour", 3)
    alice = await make_user()
    company, other = await make_company(alice), await make_company(alice)
    # when
    codes = [
        [e["code"] for e in (await invite(gql, alice, company, unique_email()))["errors"]]
        for _ in range(4)
    ]
    # then: the fourth is refused; another company is not affected
    assert codes == [[], [], [], ["INVITATIONS_THROTTLED"]]
    assert (await invite(gql, alice, other, unique_email()))["errors"] == []


async def test_the_email_is_sent_once_when_dispatchers_run_twice(gql, smtp, monkeypatch):
    # given: the nudge after the commit is lost; only sweeps deliver
    async def lost(*messages, delay=0.0):
        return None

    monkeypatch.setattr(outbox, "dispatch_soon", lost)
    alice = await make_user()
    company = await make_company(alice)
    email = unique_email("once")
    assert (await invite(gql, alice, company, email))["emailed"] is True
    # when: two dispatchers at once, then another one later
    await asyncio.gather(outbox.dispatch_due(), outbox.dispatch_due())
    await outbox.dispatch_due()
    # then
    await asyncio.sleep(0.1)
    assert [m["To"] for m in smtp.messages] == [email]
    invitation = await Invitation.get(email=email)
    row = await OutboxMessage.get(
        idempotency_key=invitation_email_key(company.id, invitation.token_hash)
    )
    assert (row.status, row.attempts) == (OutboxStatus.DELIVERED, 1)


@pytest.mark.parametrize("url", ["ftp://host", "smtp://"])
def test_a_bad_smtp_url_is_refused(url):
    from server.companies.mail import smtp_server

    with pytest.raises(ValueError):
        smtp_server(url)


def test_smtp_url_parts():
    from server.companies.mail import smtp_server

    server = smtp_server("smtps://me%40x.org:p%2Fw@mail.example.com")
    assert (server.hostname, server.port, server.username, server.password) == (
        "mail.example.com",
        465,
        "me@x.org",
        "p/w",
    )
    assert (server.use_tls, server.start_tls) == (True, None)
    plain = smtp_server("smtp://mail.example.com?starttls=true")
    assert (plain.port, plain.use_tls, plain.start_tls) == (587, False, True)
