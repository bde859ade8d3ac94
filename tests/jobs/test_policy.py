"""Per-kind job policies: timeout, attempts and full-jitter backoff declared at registration."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from server.jobs import registry, services
from server.jobs.models import Job, JobStatus
from server.jobs.registry import JobPolicy, ResolvedPolicy
from server.settings import get_settings
from tests.factories import make_user
from tests.jobs.conftest import wait_for


def test_unset_values_come_from_the_settings() -> None:
    # given
    settings = get_settings().model_copy(
        update={
            "job_timeout_seconds": 600,
            "job_max_tries": 3,
            "job_retry_delay_seconds": 2.0,
            "job_retry_max_delay_seconds": 300.0,
        }
    )
    # when
    resolved = JobPolicy(max_attempts=7).resolve(settings)
    # then
    assert resolved == ResolvedPolicy(
        timeout_seconds=600.0, max_attempts=7, backoff_seconds=2.0, max_delay_seconds=300.0
    )


def test_full_jitter_delays_stay_within_the_exponential_ceiling_and_the_cap() -> None:
    # given: base 2 s, cap 60 s; a seeded random
    policy = ResolvedPolicy(
        timeout_seconds=1, max_attempts=10, backoff_seconds=2, max_delay_seconds=60
    )
    rng = random.Random(1234)
    # when: many draws per attempt
    draws = {
        attempt: [policy.retry_delay(attempt, rng=rng) for _ in range(500)]
        for attempt in (1, 2, 3, 6, 40)
    }
    # then: each in [0, min(60, 2 x 2^(n-1))], and spread over it (not a fixed delay)
    ceilings = {1: 2.0, 2: 4.0, 3: 8.0, 6: 60.0, 40: 60.0}
    for attempt, values in draws.items():
        ceiling = ceilings[attempt]
        assert all(0.0 <= value <= ceiling for value in values), attempt
        assert min(values) < ceiling * 0.1 and max(values) > ceiling * 0.9, attempt
        assert len(set(values)) == len(values)
    # the same seed gives the same delays (tests can pin them)
    again = random.Random(1234)
    assert policy.retry_delay(1, rng=again) == draws[1][0]


def test_policies_refuse_impossible_values() -> None:
    with pytest.raises(ValueError):
        JobPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        JobPolicy(timeout_seconds=0)
    with pytest.raises(ValueError):
        JobPolicy(max_delay_seconds=-1)


def test_the_policy_is_declared_where_the_handler_is_registered(register_kind) -> None:
    # given
    async def handler(job: Job, report: Any) -> None:
        return None

    policy = JobPolicy(timeout_seconds=42, max_attempts=5)
    # when
    kind = register_kind(handler, policy=policy)
    plain = register_kind(handler)
    # then
    settings = get_settings()
    assert registry.policy_of(kind).timeout_seconds == 42
    assert registry.policy_of(kind).max_attempts == 5
    assert registry.policy_of(plain).timeout_seconds == settings.job_timeout_seconds
    assert registry.policy_of(plain).max_attempts == settings.job_max_tries
    assert registry.longest_timeout() >= max(42, settings.job_timeout_seconds)


async def test_a_kind_gets_its_own_number_of_attempts(app, register_kind, fast_jobs) -> None:
    # given: a kind allowed 5 attempts (the settings say 3) that always breaks
    calls: list[int] = []

    async def handler(job: Job, report: Any) -> None:
        calls.append(job.attempts)
        raise RuntimeError("broken")

    kind = register_kind(handler, policy=JobPolicy(max_attempts=5, backoff_seconds=0.001))
    account = await make_user()
    # when
    job = await services.create_job(owner=account.user, kind=kind)
    done = await wait_for(job.id, JobStatus.FAILED)
    # then
    assert fast_jobs.job_max_tries == 3
    assert job.max_attempts == 5
    assert calls == [1, 2, 3, 4, 5]
    assert (done.attempts, done.error_code) == (5, "HANDLER_ERROR")


async def test_a_kind_gets_its_own_timeout(app, register_kind, fast_jobs) -> None:
    # given: the settings allow 600 s, this kind 0.1 s; another kind keeps the settings' limit
    async def slow(job: Job, report: Any) -> None:
        await asyncio.sleep(30)

    async def quick(job: Job, report: Any) -> dict[str, int]:
        await asyncio.sleep(0.2)
        return {"done": 1}

    strict = register_kind(slow, policy=JobPolicy(timeout_seconds=0.1, max_attempts=1))
    lenient = register_kind(quick)
    account = await make_user()
    # when
    timed_out = await services.create_job(owner=account.user, kind=strict)
    finished = await services.create_job(owner=account.user, kind=lenient)
    failed = await wait_for(timed_out.id, JobStatus.FAILED)
    succeeded = await wait_for(finished.id, JobStatus.SUCCEEDED)
    # then
    assert fast_jobs.job_timeout_seconds == 600
    assert (failed.error_code, failed.error_message) == (
        "TIMEOUT",
        "The job took longer than 0.1 s.",
    )
    assert succeeded.result == {"done": 1}


async def test_retries_wait_a_jittered_delay_from_the_kind_policy(
    app, register_kind, fast_jobs, monkeypatch
) -> None:
    # given: a seeded random and a kind with a 0.05 s base and a 0.06 s cap
    monkeypatch.setattr(registry, "_rng", random.Random(7))
    expected_rng = random.Random(7)
    policy = JobPolicy(max_attempts=4, backoff_seconds=0.05, max_delay_seconds=0.06)
    messages: list[str] = []

    async def handler(job: Job, report: Any) -> None:
        raise RuntimeError("again")

    kind = register_kind(handler, policy=policy)
    account = await make_user()
    original = services.publish

    async def spy(state: Any) -> None:
        if state.kind == kind and state.status == JobStatus.QUEUED and state.attempts:
            messages.append(state.message)
        await original(state)

    monkeypatch.setattr(services, "publish", spy)
    # when
    job = await services.create_job(owner=account.user, kind=kind)
    await wait_for(job.id, JobStatus.FAILED)
    # then: the waits announced are the seeded draws, capped at 0.06 s from the second retry on
    expected = [expected_rng.uniform(0, min(0.06, 0.05 * 2**n)) for n in range(3)]
    assert messages == [
        f"Attempt {n + 1} failed; retrying in {delay:.3g} s." for n, delay in enumerate(expected)
    ]
