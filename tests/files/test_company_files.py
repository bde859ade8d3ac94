"""A company's files: its members and its API keys (scope `files`) find them with node(id) and
download them through their signed url; other companies, outsiders and a company key asking for
a user's file get null."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schema.core.relay import global_id
from server.files.services import set_blob_store, store_generated_file
from server.storage.local import LocalBlobStore
from tests.companies.factories import company_key, join, make_company
from tests.conftest import data_of
from tests.factories import make_admin, make_user

FILE = """
query F($id: ID!) { node(id: $id) { id ... on File { filename size url } } }"""
CSV = b"month,total\r\n2024-03,12.50\r\n"


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[None]:
    for purpose in ("originals", "generated", "temporary", "archive"):
        set_blob_store(LocalBlobStore(tmp_path / purpose, fsync=False), purpose)
    yield
    set_blob_store(None)


async def test_members_and_the_companys_key_read_and_download_a_company_file(gql, client, stores):
    # given: a report made for company A by Mia, its MEMBER; Alice is its ADMIN
    alice, mia, bob, carl = [await make_user() for _ in range(4)]
    company_a, company_b = await make_company(alice), await make_company(bob)
    await join(company_a, mia)
    report = await store_generated_file(
        CSV, content_type="text/csv", filename="stock.csv", owner=mia.user, company=company_a
    )
    gid = global_id("File", report.id)
    key_a = await company_key(company_a, alice, {"files"})
    key_a_jobs_only = await company_key(company_a, alice, {"jobs"})
    key_b = await company_key(company_b, bob, {"files"})

    async def node(**who: Any) -> Any:
        return data_of(await gql(FILE, {"id": gid}, **who))["node"]

    # then: the members, the company's key, an admin read it, and its link downloads it
    for who in (
        {"token": mia.token},
        {"token": alice.token},
        {"api_key": key_a},
        {"token": (await make_admin()).token},
    ):
        seen = await node(**who)
        assert (seen["id"], seen["filename"], seen["size"]) == (gid, "stock.csv", len(CSV)), who
        response = await client.get(seen["url"])
        assert (response.status_code, response.content) == (200, CSV), who
    # and nobody else: an outsider, another company's ADMIN and key, a key without `files`
    for who in (
        {"token": carl.token},
        {"token": bob.token},
        {"api_key": key_b},
        {"api_key": key_a_jobs_only},
    ):
        assert await node(**who) is None, who


async def test_a_company_key_never_reads_a_users_file(gql, stores):
    # given: a file of Alice's own (no company), and her company's key holding `files`
    alice = await make_user()
    company = await make_company(alice)
    own = await store_generated_file(
        CSV, content_type="text/csv", filename="mine.csv", owner=alice.user
    )
    key = await company_key(company, alice, {"files"})
    gid = global_id("File", own.id)
    # then
    assert data_of(await gql(FILE, {"id": gid}, api_key=key))["node"] is None
    assert data_of(await gql(FILE, {"id": gid}, token=alice.token))["node"]["id"] == gid
