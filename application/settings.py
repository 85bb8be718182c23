"""Settings the use cases need, already validated by the configuration adapter."""

from dataclasses import dataclass, field
from datetime import timedelta

from domain.channel_health import BreakerPolicy
from domain.refund_policy import RefundPolicy
from domain.subscription import DunningPolicy


def _default_backoff() -> tuple[timedelta, ...]:
    return (timedelta(minutes=1), timedelta(minutes=5), timedelta(hours=1), timedelta(days=1))


@dataclass(frozen=True)
class PaymentSettings:
    public_base_url: str = "http://127.0.0.1:8000"  # notice_url / m_redirect_url are built on it
    production: bool = False  # production refuses test-channel payments
    refund_policy: RefundPolicy = field(default_factory=RefundPolicy)
    dunning: DunningPolicy = field(default_factory=DunningPolicy)
    charge_hour: int = 10  # Asia/Seoul hour at which monthly cycles are charged
    unknown_backoff: tuple[timedelta, ...] = field(default_factory=_default_backoff)
    vbank_due: timedelta = timedelta(days=3)
    abandoned_after: timedelta = timedelta(hours=24)  # unpaid one-time orders expire after this
    # A card still ISSUING this long after it was recorded is settled from iamport's word, and
    # iamport's not-found then proves no key was issued: longer than the gateway's timeouts
    # and than a sponsor may sit in a PG key-issuance window.
    card_issuance_grace: timedelta = timedelta(hours=1)
    webhook_retry_backoff: tuple[timedelta, ...] = field(default_factory=_default_backoff)
    # The longest one gateway call can still be under way (token fetch, the call, one 401
    # refresh and retry). No check of an intent comes sooner: a janitor that asks iamport while
    # our own request may still arrive there could take "not there yet" for "never happened".
    gateway_call_deadline: timedelta = timedelta()
    # How long a job's claim on a row lasts (database time): longer than one gateway call, so
    # that a live owner is not overtaken; a dead owner's rows are taken over after it.
    work_lease: timedelta = timedelta(minutes=5)
    billing_concurrency: int = 50  # monthly charges under way at once in one billing run
    breaker: BreakerPolicy = field(default_factory=BreakerPolicy)  # channel health (spec §4.9)

    @property
    def notice_url(self) -> str:
        return self.public_base_url.rstrip("/") + "/api/webhooks/iamport"

    @property
    def return_url(self) -> str:
        return self.public_base_url.rstrip("/") + "/payments/return"

    def next_check_after(self, checks: int) -> timedelta:
        """Backoff for re-asking iamport about an unknown outcome (the last step repeats),
        never sooner than a gateway call may still be under way."""
        step = self.unknown_backoff[min(checks, len(self.unknown_backoff) - 1)]
        return max(step, self.gateway_call_deadline)
