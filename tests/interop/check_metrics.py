"""Parses a Prometheus exposition (OpenMetrics text, from stdin) with the Prometheus project's
own Python client, strictly: a malformed exposition raises. Prints the metric families found,
as JSON: {"name": "type", ...}."""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    families = {family.name: family.type for family in text_string_to_metric_families(text)}
    print(json.dumps(families))
    return 0


if __name__ == "__main__":
    sys.exit(main())
