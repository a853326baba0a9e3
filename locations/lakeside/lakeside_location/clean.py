"""Typed, validated tables built from the raw CSV files, and the checks guarding them."""

from __future__ import annotations

import headwater as dg
from lakeside_location.resources import LakesideFiles


@dg.multi_asset(
    outs={
        "weather": dg.AssetOut(group_name="clean", description="Daily weather, typed."),
        "sales": dg.AssetOut(group_name="clean", description="Cones sold per kiosk and day."),
    },
    deps=["raw_weather", "raw_sales"],
)
def clean_tables(files: LakesideFiles):
    """Parse the CSV files into lists of typed rows."""
    weather = [
        {
            "date": row["date"],
            "temperature_c": float(row["temperature_c"]),
            "rain_mm": float(row["rain_mm"]),
        }
        for row in files.read_rows("weather")
    ]
    sales = [
        {
            "date": row["date"],
            "kiosk": row["kiosk"],
            "flavour": row["flavour"],
            "cones": int(row["cones"]),
            "amount": float(row["amount"]),
        }
        for row in files.read_rows("sales")
    ]
    return weather, sales


@dg.asset_check(asset="sales", blocking=True, description="No sale has a negative amount.")
def sales_amounts_not_negative(sales: list[dict]) -> dg.AssetCheckResult:
    negative = [row for row in sales if row["amount"] < 0]
    return dg.AssetCheckResult(passed=not negative, metadata={"negative_rows": len(negative)})


@dg.asset_check(asset="weather", description="Temperatures are plausible for a lake in summer.")
def temperatures_plausible(weather: list[dict]) -> dg.AssetCheckResult:
    odd = [row["date"] for row in weather if not -5 <= row["temperature_c"] <= 40]
    return dg.AssetCheckResult(
        passed=not odd,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"implausible_days": len(odd)},
    )
