"""Review of issue 13: re-sending an invitation is a new email, so it counts against
INVITATIONS_PER_HOUR like a new one: the same address cannot be flooded by inviting it again and
again (each re-send replaced the row's token, and the throttle counted rows)."""

from __future__ import annotations

from schema.core.relay import global_id
from server import outbox
from server.settings import get_settings
from tests.companies.factories import make_company
from tests.companies.smtp import Mailbox, smtp_fixture  # noqa: F401  (the `smtp` fixture)
from tests.conftest import data_of
from tests.factories import make_user, unique_email

INVITE = """
mutation I($input: InviteMemberInput!) {
  inviteMember(input: $input) { emailed errors { code } } }"""


async def test_re_sent_invitation_emails_are_throttled_like_new_ones(gql, smtp, monkeypatch):
    # given: 3 emails an hour; the emails stay in the outbox (not sent in this test)
    async def held(*messages, delay=0.0):
        return None

    monkeypatch.setattr(outbox, "dispatch_soon", held)
    monkeypatch.setattr(get_settings(), "invitations_per_hour", 3)
    alice = await make_user()
    company, other = await make_company(alice), await make_company(alice)
    email = unique_email("flooded")
    variables = {"input": {"companyId": global_id("Company", company.id), "email": email}}
    # when: the same address is invited four times
    results = [
        data_of(await gql(INVITE, variables, token=alice.token))["inviteMember"] for _ in range(4)
    ]
    # then: three emails, the fourth refused; another company is not affected
    assert [(r["emailed"], [e["code"] for e in r["errors"]]) for r in results] == [
        (True, []),
        (True, []),
        (True, []),
        (False, ["INVITATIONS_THROTTLED"]),
    ]
    elsewhere = {"input": {"companyId": global_id("Company", other.id), "email": email}}
    assert data_of(await gql(INVITE, elsewhere, token=alice.token))["inviteMember"]["errors"] == []
