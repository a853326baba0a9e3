"""Keys, windows and stored subsets of regular schedules agree with plain calendar walking."""

from datetime import date, datetime, timedelta, timezone

import pytest

import headwater as dg

NOW = datetime(2200, 1, 1, tzinfo=timezone.utc)


def _days(start: date, end: date, step: int = 1) -> list[str]:
    out, day = [], start
    while day < end:
        out.append(day.isoformat())
        day += timedelta(days=step)
    return out


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2015-01-01", "2025-01-01"),
        ("1999-12-30", "2001-03-02"),  # 2000 is a leap year
        ("2100-02-27", "2100-03-02"),  # 2100 is not
        ("2024-02-29", "2024-03-01"),
    ],
)
def test_daily_keys_are_every_calendar_day(start, end):
    daily = dg.DailyPartitionsDefinition(start_date=start, end_date=end)
    expected = _days(date.fromisoformat(start), date.fromisoformat(end))

    assert daily.get_partition_keys(current_time=NOW) == expected
    # Listed again (from what the first listing kept) and as a range.
    assert daily.get_partition_keys(current_time=NOW) == expected
    in_range = dg.PartitionKeyRange(expected[0], expected[-1])
    assert daily.get_partition_keys_in_range(in_range) == expected


def test_a_listing_can_be_changed_by_the_caller():
    daily = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05")
    keys = daily.get_partition_keys(current_time=NOW)
    keys.clear()

    assert daily.get_partition_keys(current_time=NOW) == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
    ]


def test_weekly_keys_and_windows_in_utc():
    weekly = dg.WeeklyPartitionsDefinition(start_date="2023-12-31", end_date="2025-01-05")
    keys = weekly.get_partition_keys(current_time=NOW)

    assert keys == _days(date(2023, 12, 31), date(2025, 1, 5), step=7)
    assert weekly.time_window_for_partition_key("2024-03-03") == dg.TimeWindow(
        datetime(2024, 3, 3, tzinfo=timezone.utc), datetime(2024, 3, 10, tzinfo=timezone.utc)
    )
    assert (
        weekly.get_partition_key_for_timestamp(
            datetime(2024, 3, 9, 23, 59, tzinfo=timezone.utc).timestamp()
        )
        == "2024-03-03"
    )


@pytest.mark.parametrize("timezone_name", ["UTC", "Europe/Berlin"])
def test_daily_subset_survives_serialization(timezone_name):
    daily = dg.DailyPartitionsDefinition(
        start_date="2015-01-01", end_date="2025-01-01", timezone=timezone_name
    )
    keys = daily.get_partition_keys()
    every_other = daily.subset_with_partition_keys(keys[::2])

    restored = daily.deserialize_subset(every_other.serialize())

    assert restored == every_other
    assert restored.get_partition_keys() == keys[::2]
