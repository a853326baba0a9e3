"""Time-window partitions definitions: keys, windows, offsets, ends and DST."""

import pickle
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

import headwater as dg

UTC = timezone.utc


def at(*args, tz=UTC):
    return datetime(*args, tzinfo=tz)


def test_daily_keys_and_windows():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    keys = daily.get_partition_keys(current_time=at(2023, 1, 10))
    assert keys == [f"2023-01-{d:02d}" for d in range(1, 10)]
    assert daily.get_num_partitions(current_time=at(2023, 1, 10)) == 9
    window = daily.time_window_for_partition_key("2023-01-03")
    assert window == dg.TimeWindow(at(2023, 1, 3), at(2023, 1, 4))
    assert window.start.tzinfo is UTC
    assert daily.fmt == "%Y-%m-%d"
    assert daily.cron_schedule == "0 0 * * *"
    assert daily.timezone == "UTC"


def test_partition_whose_window_has_not_ended_does_not_exist():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    assert not daily.has_partition_key("2023-01-10", current_time=at(2023, 1, 10, 23))
    assert daily.has_partition_key("2023-01-09", current_time=at(2023, 1, 10, 23))
    assert daily.get_last_partition_key(current_time=at(2023, 1, 10, 23)) == "2023-01-09"
    assert daily.get_first_partition_key(current_time=at(2022, 6, 1)) is None


def test_hourly_weekly_monthly_defaults():
    hourly = dg.HourlyPartitionsDefinition(start_date="2023-01-01-00:00")
    assert hourly.get_partition_keys(current_time=at(2023, 1, 1, 3)) == [
        "2023-01-01-00:00",
        "2023-01-01-01:00",
        "2023-01-01-02:00",
    ]
    weekly = dg.WeeklyPartitionsDefinition(start_date="2023-01-01")
    assert weekly.get_partition_keys(current_time=at(2023, 1, 20)) == ["2023-01-01", "2023-01-08"]
    assert weekly.cron_schedule == "0 0 * * 0"
    monthly = dg.MonthlyPartitionsDefinition(start_date="2023-01-01")
    assert monthly.get_partition_keys(current_time=at(2023, 3, 2)) == ["2023-01-01", "2023-02-01"]
    assert monthly.time_window_for_partition_key("2023-02-01").end == at(2023, 3, 1)


def test_start_not_on_a_tick_begins_at_the_next_tick():
    weekly = dg.WeeklyPartitionsDefinition(start_date="2023-01-02")  # a Monday
    assert weekly.get_first_partition_key() == "2023-01-08"
    monthly = dg.MonthlyPartitionsDefinition(start_date="2023-01-15")
    assert monthly.get_first_partition_key() == "2023-02-01"
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01-03:00", fmt="%Y-%m-%d-%H:%M")
    assert daily.get_first_partition_key() == "2023-01-02-00:00"


def test_offsets():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01", hour_offset=6, minute_offset=30)
    assert daily.cron_schedule == "30 6 * * *"
    assert daily.time_window_for_partition_key("2023-01-05") == dg.TimeWindow(
        at(2023, 1, 5, 6, 30), at(2023, 1, 6, 6, 30)
    )
    assert daily.get_num_partitions(current_time=at(2023, 1, 10)) == 8
    weekly = dg.WeeklyPartitionsDefinition(start_date="2023-01-01", day_offset=1)
    assert weekly.get_first_partition_key() == "2023-01-02"
    monthly = dg.MonthlyPartitionsDefinition(start_date="2023-01-01", day_offset=5)
    assert monthly.get_partition_keys(current_time=at(2023, 3, 6)) == ["2023-01-05", "2023-02-05"]
    hourly = dg.HourlyPartitionsDefinition(start_date="2023-01-01-00:00", minute_offset=15)
    assert hourly.get_first_partition_key() == "2023-01-01-00:15"


def test_end_and_end_offset():
    now = at(2023, 1, 10)
    ended = dg.DailyPartitionsDefinition(start_date="2023-01-01", end_date="2023-01-05")
    assert ended.get_partition_keys(current_time=now)[-1] == "2023-01-04"
    capped = dg.DailyPartitionsDefinition(
        start_date="2023-01-01", end_date="2023-01-05", end_offset=2
    )
    assert capped.get_num_partitions(current_time=now) == 4
    ahead = dg.DailyPartitionsDefinition(start_date="2023-01-01", end_offset=2)
    assert ahead.get_last_partition_key(current_time=now) == "2023-01-11"
    behind = dg.DailyPartitionsDefinition(start_date="2023-01-01", end_offset=-2)
    assert behind.get_last_partition_key(current_time=now) == "2023-01-07"


def test_datetime_start_and_timestamps():
    daily = dg.DailyPartitionsDefinition(start_date=datetime(2023, 1, 1))
    assert daily.start == at(2023, 1, 1)
    ts = at(2023, 1, 5, 12).timestamp()
    assert daily.get_partition_key_for_timestamp(ts) == "2023-01-05"
    boundary = at(2023, 1, 5).timestamp()
    assert daily.get_partition_key_for_timestamp(boundary, end_closed=True) == "2023-01-04"


def test_keys_in_range_and_indices():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    key_range = dg.PartitionKeyRange("2023-01-02", "2023-01-04")
    assert daily.get_partition_keys_in_range(key_range) == [
        "2023-01-02",
        "2023-01-03",
        "2023-01-04",
    ]
    assert daily.get_partition_index("2023-01-04") == 3
    assert daily.get_partition_key(3) == "2023-01-04"
    windows = daily.time_windows_for_partition_keys(["2023-01-03", "2023-01-01"])
    assert [w.start.day for w in windows] == [1, 3]


def test_unknown_key_errors_name_the_definition_and_close_matches():
    daily = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    with pytest.raises(dg.UnknownPartitionError, match=r"'2023-13-01'.*DailyPartitionsDefinition"):
        daily.time_window_for_partition_key("2023-13-01")
    with pytest.raises(dg.DagsterUnknownPartitionError, match="did you mean '2023-01-02'"):
        daily.get_partition_index("2023-01-02x", current_time=at(2023, 1, 5))
    with pytest.raises(dg.InvalidInvocationError, match="ends before it starts"):
        daily.get_partition_keys_in_range(dg.PartitionKeyRange("2023-01-04", "2023-01-02"))


def test_invalid_definitions():
    with pytest.raises(dg.InvalidDefinitionError, match="Unknown time zone 'Mars/Base'"):
        dg.DailyPartitionsDefinition(start_date="2023-01-01", timezone="Mars/Base")
    with pytest.raises(dg.InvalidDefinitionError, match="Write it as '2024-01-31'"):
        dg.DailyPartitionsDefinition(start_date="Jan 1st")
    with pytest.raises(dg.InvalidDefinitionError, match="exactly one of cron_schedule"):
        dg.TimeWindowPartitionsDefinition(start="2023-01-01", fmt="%Y-%m-%d")
    with pytest.raises(dg.InvalidDefinitionError, match="day_offset of a weekly"):
        dg.WeeklyPartitionsDefinition(start_date="2023-01-01", day_offset=9)


def test_irregular_cron_schedule_uses_croniter():
    weekdays = dg.TimeWindowPartitionsDefinition(
        start="2023-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 * * 1-5"
    )
    keys = weekdays.get_partition_keys(current_time=at(2023, 1, 10))
    assert keys == [
        "2023-01-02",
        "2023-01-03",
        "2023-01-04",
        "2023-01-05",
        "2023-01-06",
        "2023-01-09",
    ]
    assert weekdays.time_window_for_partition_key("2023-01-06").end == at(2023, 1, 9)
    assert not weekdays.has_partition_key("2023-01-07", current_time=at(2023, 2, 1))


def test_equality_hash_and_pickle():
    a = dg.DailyPartitionsDefinition(start_date="2023-01-01")
    b = dg.TimeWindowPartitionsDefinition(
        start="2023-01-01", fmt="%Y-%m-%d", cron_schedule="0 0 * * *"
    )
    assert a == b
    assert hash(a) == hash(b)
    assert a != dg.DailyPartitionsDefinition(start_date="2023-01-02")
    assert pickle.loads(pickle.dumps(a)) == a


NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("tz", "day", "utc_hours"),
    [("America/New_York", 12, 5), ("Europe/Berlin", 26, -1)],
)
def test_hourly_spring_forward_skips_the_missing_hour(tz, day, utc_hours):
    month = 3
    hourly = dg.HourlyPartitionsDefinition(start_date=f"2023-{month:02d}-{day}-00:00", timezone=tz)
    now = datetime(2023, month, day, 6, tzinfo=ZoneInfo(tz))
    keys = hourly.get_partition_keys(current_time=now)
    hours = [k[-5:] for k in keys]
    assert hours == ["00:00", "01:00", "03:00", "04:00", "05:00"]
    assert len(set(keys)) == len(keys)
    window = hourly.time_window_for_partition_key(keys[1])
    assert window.end.timestamp() - window.start.timestamp() == 3600


@pytest.mark.parametrize(
    ("tz", "date", "repeated", "suffix"),
    [
        ("America/New_York", "2023-11-05", "01:00", "-0500"),
        ("Europe/Berlin", "2023-10-29", "02:00", "+0100"),
    ],
)
def test_hourly_fall_back_keeps_both_hours_with_distinct_keys(tz, date, repeated, suffix):
    hourly = dg.HourlyPartitionsDefinition(start_date=f"{date}-00:00", timezone=tz)
    start = hourly.start.timestamp()
    keys = hourly.get_partition_keys(current_time=datetime.fromtimestamp(start + 6 * 3600, UTC))
    assert len(keys) == 6
    assert len(set(keys)) == 6
    assert f"{date}-{repeated}" in keys
    second = f"{date}-{repeated}{suffix}"
    assert second in keys
    windows = hourly.time_windows_for_partition_keys(keys)
    assert all(w.end.timestamp() - w.start.timestamp() == 3600 for w in windows)
    assert hourly.get_partition_index(second) == keys.index(second)


@pytest.mark.parametrize(
    ("tz", "start", "transition_day"),
    [
        ("America/New_York", "2023-03-10", "2023-03-12"),
        ("America/New_York", "2023-11-03", "2023-11-05"),
        ("Europe/Berlin", "2023-03-24", "2023-03-26"),
        ("Europe/Berlin", "2023-10-27", "2023-10-29"),
    ],
)
def test_daily_across_dst_has_each_day_once(tz, start, transition_day):
    daily = dg.DailyPartitionsDefinition(start_date=start, timezone=tz)
    keys = daily.get_partition_keys(current_time=datetime(2023, 12, 31, tzinfo=UTC))[:5]
    assert keys == sorted(set(keys))
    assert len(keys) == 5
    window = daily.time_window_for_partition_key(transition_day)
    assert (window.start.hour, window.end.hour) == (0, 0)
    assert window.end.timestamp() - window.start.timestamp() in (23 * 3600, 25 * 3600)
    noon = window.start.timestamp() + 12 * 3600
    assert daily.get_partition_key_for_timestamp(noon) == transition_day


def test_daily_tick_inside_the_spring_forward_gap_moves_past_it():
    daily = dg.DailyPartitionsDefinition(
        start_date="2023-03-11", timezone="America/New_York", hour_offset=2
    )
    window = daily.time_window_for_partition_key("2023-03-12")
    assert window.start == datetime(2023, 3, 12, 3, tzinfo=NY)
    assert window.end == datetime(2023, 3, 13, 2, tzinfo=NY)
