"""What the kiosk owner reads: revenue per day, and how the weather drives it."""

from __future__ import annotations

from collections import defaultdict

import headwater as dg
from lakeside_location.resources import LakesideFiles

daily = dg.DailyPartitionsDefinition(start_date="2024-06-01", end_date="2024-07-01")


@dg.asset(partitions_def=daily, group_name="reports", kinds={"python"})
def daily_revenue(context: dg.AssetExecutionContext, sales: list[dict]) -> dict:
    """Revenue and cones of one day, per kiosk."""
    day = context.partition_key
    by_kiosk: dict[str, float] = defaultdict(float)
    cones = 0
    for row in sales:
        if row["date"] == day:
            by_kiosk[row["kiosk"]] += row["amount"]
            cones += row["cones"]
    context.add_output_metadata({"revenue": round(sum(by_kiosk.values()), 2), "cones": cones})
    return {"date": day, "cones": cones, "by_kiosk": dict(by_kiosk)}


@dg.asset(group_name="reports")
def revenue_by_temperature(weather: list[dict], sales: list[dict]) -> dict[str, float]:
    """Average daily revenue in 5-degree temperature bands."""
    revenue_by_day: dict[str, float] = defaultdict(float)
    for row in sales:
        revenue_by_day[row["date"]] += row["amount"]
    bands: dict[str, list[float]] = defaultdict(list)
    for row in weather:
        low = int(row["temperature_c"] // 5 * 5)
        bands[f"{low}-{low + 5}C"].append(revenue_by_day.get(row["date"], 0.0))
    return {band: round(sum(v) / len(v), 2) for band, v in sorted(bands.items())}


@dg.asset(group_name="reports", deps=["lake_level_gauge"])
def lake_level_summary(files: LakesideFiles) -> dict[str, int]:
    """Lowest and highest lake level of the month, from the gauge export."""
    files.gauge_export()
    levels = [int(row["level_cm"]) for row in files.read_rows("lake_level")]
    return {"min_cm": min(levels), "max_cm": max(levels)}


@dg.op
def revenue_per_kiosk(sales: list[dict]) -> dict[str, float]:
    """Total revenue of each kiosk over the whole period."""
    totals: dict[str, float] = defaultdict(float)
    for row in sales:
        totals[row["kiosk"]] += row["amount"]
    return dict(totals)


@dg.op
def rank(totals: dict[str, float]) -> list[str]:
    """Kiosk names, best-selling first."""
    return sorted(totals, key=totals.__getitem__, reverse=True)


@dg.graph_asset(group_name="reports")
def kiosk_ranking(sales: list[dict]) -> list[str]:
    """The kiosks ranked by revenue, computed by two ops."""
    return rank(revenue_per_kiosk(sales))
