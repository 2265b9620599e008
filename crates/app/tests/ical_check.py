"""Expands an iCalendar file with independent libraries (icalendar and
recurring-ical-events from PyPI) and prints every occurrence between two
instants as JSON: [[start in UTC, length in minutes], ...], sorted.

The length is the event's DURATION as written. recurring-ical-events adds a
DURATION to DTSTART in wall-clock time, so across a DST change its DTEND
is an hour off; RFC 5545 (3.3.6) makes PT...M an exact duration, which is
what kith means.

Usage: python3 ical_check.py FILE FROM UNTIL   (RFC 3339 instants, UTC)

Zones come from the system's database (PYTHONTZPATH=/usr/share/zoneinfo),
as kith's do.
"""

import json
import sys
from datetime import datetime, timezone

import icalendar
import recurring_ical_events


def utc(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    path, start, end = sys.argv[1:4]
    with open(path, "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    since = datetime.fromisoformat(start.replace("Z", "+00:00"))
    until = datetime.fromisoformat(end.replace("Z", "+00:00"))
    found = []
    for event in recurring_ical_events.of(calendar).between(since, until):
        length = event["DURATION"].dt if "DURATION" in event else event["DTEND"].dt - event["DTSTART"].dt
        found.append([utc(event["DTSTART"].dt), int(length.total_seconds() // 60)])
    print(json.dumps(sorted(found)))


if __name__ == "__main__":
    main()
