"""Business time: rules are counted in Asia/Seoul; timestamps are stored in UTC."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def seoul_date(moment: datetime) -> date:
    return moment.astimezone(SEOUL).date()


def seoul_moment(day: date, hour: int = 0) -> datetime:
    """The UTC instant of `hour` o'clock on `day` in Seoul."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL).astimezone(UTC)
