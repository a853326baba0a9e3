"""Time-window partitions: one partition per tick interval of a cron schedule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone, tzinfo
from typing import Any, NamedTuple

from headwater.errors import InvalidDefinitionError
from headwater.partitions._ticks import CalendarTicks, CronTicks, HourlyTicks, Ticks
from headwater.partitions.base import (
    DynamicPartitionsStore,
    PartitionsDefinition,
    current_timestamp,
)

_ISO_DATE = "%Y-%m-%d"
_SCHEDULE_TYPES = ("hourly", "daily", "weekly", "monthly")


class TimeWindow(NamedTuple):
    """The half-open interval ``[start, end)`` covered by one time partition (or several)."""

    start: datetime
    end: datetime


def _timezone(name: str) -> tzinfo:
    if name == "UTC":
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidDefinitionError(
            f"Unknown time zone {name!r} for a time-window partitions definition; use an IANA "
            "name such as 'UTC', 'America/New_York' or 'Europe/Berlin'."
        ) from None


def _parse_datetime(value: str | datetime, fmt: str, tz: tzinfo, what: str) -> float:
    if isinstance(value, datetime):
        return (value.replace(tzinfo=tz) if value.tzinfo is None else value).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz).timestamp()
    for pattern in (fmt, fmt + "%z"):
        try:
            parsed = datetime.strptime(value, pattern)
            break
        except ValueError:
            continue
    else:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidDefinitionError(
                f"Cannot read {what} {value!r} of a time-window partitions definition: it "
                f"matches neither its format {fmt!r} nor ISO 8601. Write it as "
                f"{datetime(2024, 1, 31, 0, 0).strftime(fmt)!r}."
            ) from None
    return (parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed).timestamp()


def _int_field(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def _cron_for(schedule_type: str, minute: int, hour: int, day: int | None) -> str:
    kind = schedule_type.lower()
    if kind not in _SCHEDULE_TYPES:
        raise InvalidDefinitionError(
            f"Unknown schedule_type {schedule_type!r}; use one of {', '.join(_SCHEDULE_TYPES)} "
            "or pass cron_schedule."
        )
    if not 0 <= minute <= 59 or not 0 <= hour <= 23:
        raise InvalidDefinitionError(
            f"minute_offset must be 0..59 and hour_offset 0..23, got {minute} and {hour}."
        )
    if kind == "hourly":
        return f"{minute} * * * *"
    if kind == "daily":
        return f"{minute} {hour} * * *"
    if kind == "weekly":
        day = 0 if day is None else day
        if not 0 <= day <= 6:
            raise InvalidDefinitionError(
                f"day_offset of a weekly schedule is a weekday 0..6 (0 is Sunday), got {day}."
            )
        return f"{minute} {hour} * * {day}"
    day = 1 if day is None else day
    if not 1 <= day <= 31:
        raise InvalidDefinitionError(
            f"day_offset of a monthly schedule is a day of the month 1..31, got {day}."
        )
    return f"{minute} {hour} {day} * *"


def _ticks_for(cron: str, tz: tzinfo, start_ts: float) -> Ticks:
    fields = cron.split()
    if len(fields) == 5:
        minute, hour, dom, month, dow = fields
        m = _int_field(minute, 0, 59)
        h = _int_field(hour, 0, 23)
        if m is not None and month == "*":
            if hour == dom == dow == "*":
                return HourlyTicks(tz, m, start_ts)
            if h is not None and dom == "*" and dow == "*":
                return CalendarTicks(tz, "day", m, h, start_ts)
            weekday = _int_field(dow, 0, 7)
            if h is not None and dom == "*" and weekday is not None:
                return CalendarTicks(tz, "week", m, h, start_ts, weekday=weekday)
            day = _int_field(dom, 1, 28)
            if h is not None and day is not None and dow == "*":
                return CalendarTicks(tz, "month", m, h, start_ts, day=day)
    try:
        return CronTicks(tz, cron, start_ts)
    except (ValueError, KeyError) as exc:  # croniter's errors derive from ValueError
        raise InvalidDefinitionError(
            f"Invalid cron_schedule {cron!r} for a time-window partitions definition: {exc}"
        ) from None


class TimeWindowPartitionsDefinition(PartitionsDefinition):
    """Partitions that each cover one interval between consecutive ticks of a cron schedule.

    Partition keys are the window starts formatted with ``fmt`` in ``timezone``. A partition
    exists once its window has ended (``end_offset`` adds partitions past the current one, or
    removes finished ones when negative); ``end`` (exclusive) stops the partitions for good.

    Args:
        start: the first partition starts at the first tick at or after this time.
        fmt: ``strftime`` format of the keys; ``start`` and ``end`` strings use it too.
        end: no partition ends after this time.
        schedule_type: ``"hourly"``, ``"daily"``, ``"weekly"`` or ``"monthly"``, with
            ``minute_offset``, ``hour_offset`` and ``day_offset``; or pass ``cron_schedule``.
        timezone: IANA time zone of the schedule and keys (default ``"UTC"``).
        end_offset: partitions to add (or remove, if negative) at the end.
        cron_schedule: any five-field cron string.
    """

    def __init__(
        self,
        start: str | datetime,
        fmt: str,
        end: str | datetime | None = None,
        schedule_type: str | None = None,
        timezone: str | None = None,
        end_offset: int = 0,
        minute_offset: int | None = None,
        hour_offset: int | None = None,
        day_offset: int | None = None,
        cron_schedule: str | None = None,
    ):
        if (cron_schedule is None) == (schedule_type is None):
            raise InvalidDefinitionError(
                "A time-window partitions definition needs exactly one of cron_schedule and "
                "schedule_type."
            )
        if cron_schedule is not None and (
            minute_offset is not None or hour_offset is not None or day_offset is not None
        ):
            raise InvalidDefinitionError(
                "minute_offset, hour_offset and day_offset apply to schedule_type only; "
                "write them into cron_schedule instead."
            )
        if cron_schedule is None:
            assert schedule_type is not None
            cron_schedule = _cron_for(
                schedule_type, minute_offset or 0, hour_offset or 0, day_offset
            )
        self.fmt = fmt
        self.timezone = timezone or "UTC"
        self.cron_schedule = " ".join(cron_schedule.split())
        self.end_offset = end_offset
        tz = _timezone(self.timezone)
        self._start_ts = _parse_datetime(start, fmt, tz, "start")
        self._end_ts = None if end is None else _parse_datetime(end, fmt, tz, "end")
        self._setup()

    def _setup(self) -> None:
        self._tz = _timezone(self.timezone)
        self._ticks = _ticks_for(self.cron_schedule, self._tz, self._start_ts)
        self._end_count = None if self._end_ts is None else max(self._ticks.floor(self._end_ts), 0)
        self._key_cache: list[str] = []

    def __getstate__(self) -> dict[str, Any]:
        return {
            "fmt": self.fmt,
            "timezone": self.timezone,
            "cron_schedule": self.cron_schedule,
            "end_offset": self.end_offset,
            "_start_ts": self._start_ts,
            "_end_ts": self._end_ts,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

    @property
    def start(self) -> datetime:
        """The requested start, as an aware datetime in the definition's time zone."""
        return datetime.fromtimestamp(self._start_ts, self._tz)

    @property
    def end(self) -> datetime | None:
        """The exclusive end, as an aware datetime, or None for open-ended partitions."""
        return None if self._end_ts is None else datetime.fromtimestamp(self._end_ts, self._tz)

    def _identity(self) -> tuple[Any, ...]:
        return (
            self.cron_schedule,
            self.timezone,
            self.fmt,
            self._start_ts,
            self._end_ts,
            self.end_offset,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TimeWindowPartitionsDefinition)
            and self._identity() == other._identity()
        )

    def __hash__(self) -> int:
        return hash(self._identity())

    def __repr__(self) -> str:
        parts = [f"start={self.start.strftime(self.fmt)!r}"]
        if self._end_ts is not None:
            parts.append(f"end={self.end.strftime(self.fmt)!r}")  # type: ignore[union-attr]
        parts += [f"cron_schedule={self.cron_schedule!r}", f"timezone={self.timezone!r}"]
        if self.end_offset:
            parts.append(f"end_offset={self.end_offset}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- the index protocol ---------------------------------------------------------------

    def _num_partitions(self, now_ts: float, store: DynamicPartitionsStore | None) -> int:
        n = self._ticks.floor(now_ts) + self.end_offset
        if self._end_count is not None:
            n = min(n, self._end_count)
        return max(n, 0)

    def _key_at(self, index: int, store: DynamicPartitionsStore | None = None) -> str:
        if 0 <= index < len(self._key_cache):
            return self._key_cache[index]
        local = self._ticks.local(index)
        if (
            self._ticks.hourly
            and local.fold
            and "%z" not in self.fmt
            and local.utcoffset() != local.replace(fold=0).utcoffset()
        ):
            # The repeated fall-back hour: its second occurrence gets its UTC offset appended
            # so that both hours keep distinct keys.
            return local.strftime(self.fmt + "%z")
        return local.strftime(self.fmt)

    def _keys_between(self, lo: int, hi: int, store: DynamicPartitionsStore | None) -> list[str]:
        if lo < 0:
            return [self._key_at(i) for i in range(lo, hi)]
        if hi <= len(self._key_cache):
            return self._key_cache[lo:hi]
        dates = self._ticks.iso_dates(len(self._key_cache), hi) if self.fmt == _ISO_DATE else None
        if dates is not None:
            self._key_cache += dates
        else:
            self._key_cache.extend(self._key_at(i) for i in range(len(self._key_cache), hi))
        return self._key_cache[lo:hi]

    def _index_of(self, key: str, store: DynamicPartitionsStore | None = None) -> int | None:
        if not isinstance(key, str):
            return None
        try:
            if self.fmt == _ISO_DATE:
                parsed = datetime.combine(date.fromisoformat(key), datetime.min.time())
            else:
                parsed = datetime.strptime(key, self.fmt)
        except ValueError:
            if "%z" in self.fmt:
                return None
            try:
                parsed = datetime.strptime(key, self.fmt + "%z")
            except ValueError:
                return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=self._tz)
        index = self._ticks.ceil(parsed.timestamp())
        return index if self._key_at(index) == key else None

    def _subset_of_index_range(self, lo: int, hi: int, store: DynamicPartitionsStore | None):
        from headwater.partitions.subsets import TimeWindowPartitionsSubset

        return TimeWindowPartitionsSubset(self, ((lo, hi),) if lo < hi else ())

    def empty_subset(self):
        from headwater.partitions.subsets import TimeWindowPartitionsSubset

        return TimeWindowPartitionsSubset(self, ())

    # -- windows ---------------------------------------------------------------------------

    def _index_or_error(self, partition_key: str) -> int:
        index = self._index_of(partition_key)
        if index is None:
            raise self._unknown_key_error(partition_key, None, None)
        return index

    def time_window_for_index(self, index: int) -> TimeWindow:
        """Return the window of the partition numbered ``index``."""
        return TimeWindow(self._ticks.local(index), self._ticks.local(index + 1))

    def time_window_for_partition_key(self, partition_key: str) -> TimeWindow:
        """Return the ``[start, end)`` window of ``partition_key``.

        Raises:
            UnknownPartitionError: the key does not match this definition's format and schedule.
        """
        return self.time_window_for_index(self._index_or_error(partition_key))

    def time_windows_for_partition_keys(self, partition_keys: Iterable[str]) -> list[TimeWindow]:
        """Return the windows of ``partition_keys``, sorted by start."""
        indices = sorted({self._index_or_error(key) for key in partition_keys})
        return [self.time_window_for_index(i) for i in indices]

    def start_time_for_partition_key(self, partition_key: str) -> datetime:
        """Return the start of the window of ``partition_key``."""
        return self._ticks.local(self._index_or_error(partition_key))

    def end_time_for_partition_key(self, partition_key: str) -> datetime:
        """Return the (exclusive) end of the window of ``partition_key``."""
        return self._ticks.local(self._index_or_error(partition_key) + 1)

    def get_partition_key_for_timestamp(self, timestamp: float, end_closed: bool = False) -> str:
        """Return the key of the window containing ``timestamp``.

        With ``end_closed=True`` a timestamp on a boundary belongs to the window it ends.
        """
        return self._key_at(self.index_for_timestamp(timestamp, end_closed))

    def index_for_timestamp(self, timestamp: float, end_closed: bool = False) -> int:
        """Return the number of the window containing ``timestamp`` (may be out of range)."""
        index = self._ticks.floor(timestamp)
        if end_closed and self._ticks.instant(index) == timestamp:
            index -= 1
        return index

    def instant_of_index(self, index: int) -> float:
        """Return the POSIX timestamp at which partition ``index`` starts."""
        return self._ticks.instant(index)

    def get_first_partition_window(self, current_time: datetime | None = None) -> TimeWindow | None:
        """Return the first partition's window, or None if no partition exists yet."""
        n = self._num_partitions(current_timestamp(current_time), None)
        return self.time_window_for_index(0) if n else None

    def get_last_partition_window(self, current_time: datetime | None = None) -> TimeWindow | None:
        """Return the last partition's window at ``current_time``, or None."""
        n = self._num_partitions(current_timestamp(current_time), None)
        return self.time_window_for_index(n - 1) if n else None


class HourlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per hour; keys like ``"2024-01-31-13:00"``.

    Args:
        start_date: first hour (``fmt`` string or datetime).
        end_date: exclusive end. minute_offset: minute of the hour windows start at.
        timezone: IANA zone (default UTC). fmt: key format. end_offset: see the base class.
    """

    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ):
        super().__init__(
            start=start_date,
            fmt=fmt or "%Y-%m-%d-%H:%M",
            end=end_date,
            schedule_type="hourly",
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
        )


class DailyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per day; keys like ``"2024-01-31"``.

    Args:
        start_date: first day. end_date: exclusive end. minute_offset, hour_offset: local time
        of day windows start at. timezone: IANA zone (default UTC). fmt: key format.
        end_offset: see the base class.
    """

    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ):
        super().__init__(
            start=start_date,
            fmt=fmt or _ISO_DATE,
            end=end_date,
            schedule_type="daily",
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
        )


class WeeklyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per week, starting on Sunday unless ``day_offset`` says otherwise.

    Args:
        start_date: first week starts on the first matching weekday at or after this.
        end_date: exclusive end. minute_offset, hour_offset: local start time.
        day_offset: weekday windows start on (0 Sunday .. 6 Saturday). timezone, fmt,
        end_offset: as for the base class.
    """

    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 0,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ):
        super().__init__(
            start=start_date,
            fmt=fmt or _ISO_DATE,
            end=end_date,
            schedule_type="weekly",
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
            day_offset=day_offset,
        )


class MonthlyPartitionsDefinition(TimeWindowPartitionsDefinition):
    """One partition per month, starting on day ``day_offset`` (default the 1st).

    Args:
        start_date: first month starts on the first matching day at or after this.
        end_date: exclusive end. minute_offset, hour_offset: local start time.
        day_offset: day of the month windows start on (1..31; months without that day are
        skipped). timezone, fmt, end_offset: as for the base class.
    """

    def __init__(
        self,
        start_date: str | datetime,
        end_date: str | datetime | None = None,
        minute_offset: int = 0,
        hour_offset: int = 0,
        day_offset: int = 1,
        timezone: str | None = None,
        fmt: str | None = None,
        end_offset: int = 0,
    ):
        super().__init__(
            start=start_date,
            fmt=fmt or _ISO_DATE,
            end=end_date,
            schedule_type="monthly",
            timezone=timezone,
            end_offset=end_offset,
            minute_offset=minute_offset,
            hour_offset=hour_offset,
            day_offset=day_offset,
        )
