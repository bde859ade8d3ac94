"""server.access.visible on company-owned models: members see their companies' rows, a
company's key its own company's, nobody else anything."""

from __future__ import annotations

from typing import Any

from server.access import ANONYMOUS, actor_for, visible
from server.accounts.models import ApiKey
from server.companies.models import Company, Membership
from tests.companies.factories import company_key, join, make_company
from tests.factories import make_admin, make_user


async def test_members_see_their_companies_rows_and_a_company_key_its_own(gql):
    # given: Alice runs A, Mia is a member of A, Bob runs B; a key of A
    alice, mia, bob, loner = [await make_user() for _ in range(4)]
    a, b = await make_company(alice), await make_company(bob)
    await join(a, mia)
    secret = await company_key(a, alice, ["companies"])
    key = await ApiKey.get(prefix=secret.split("_", 2)[1]).select_related("company", "owner")
    admin = await make_admin()

    async def seen(actor: Any, model: Any) -> set[Any]:
        return set(await visible(actor, model).values_list("id", flat=True))

    # when / then
    assert await seen(actor_for(mia.user), Company) >= {a.id}
    assert b.id not in await seen(actor_for(mia.user), Company)
    assert await seen(actor_for(None, key), Company) == {a.id}
    a_members = set(await Membership.filter(company_id=a.id).values_list("id", flat=True))
    assert await seen(actor_for(None, key), Membership) == a_members
    assert await seen(actor_for(loner.user), Company) == set()
    assert await seen(ANONYMOUS, Company) == set()
    assert {a.id, b.id} <= await seen(actor_for(admin.user), Company)


async def test_a_row_owned_by_user_and_company_is_the_companys_once_its_maker_leaves(gql):
    # given: Mia uploaded a file for company A and one of her own, then left A
    from server.files.models import StoredFile

    alice, mia = await make_user(), await make_user()
    a = await make_company(alice)
    await join(a, mia)

    async def stored(company: Company | None) -> StoredFile:
        return await StoredFile.create(
            owner=mia.user,
            company=company,
            blob_key=f"test/{id(company)}-{mia.user.id}",
            sha256="0" * 64,
            size=1,
            content_type="text/plain",
            filename="f.txt",
        )

    company_file, own_file = await stored(a), await stored(None)

    async def seen(account: Any) -> set[Any]:
        ids = visible(actor_for(account.user), StoredFile).values_list("id", flat=True)
        return set(await ids) & {company_file.id, own_file.id}

    assert await seen(mia) == {company_file.id, own_file.id}
    # when
    await Membership.filter(company_id=a.id, user_id=mia.user.id).delete()
    # then: the company's file stays the company's; her own file stays hers
    assert await seen(mia) == {own_file.id}
    assert await seen(alice) == {company_file.id}
