"""Percentiles of latency samples, in milliseconds."""


def percentile_ms(sorted_seconds: list[float], fraction: float) -> float | None:
    if not sorted_seconds:
        return None
    index = min(len(sorted_seconds) - 1, int(fraction * len(sorted_seconds)))
    return round(sorted_seconds[index] * 1000, 1)
