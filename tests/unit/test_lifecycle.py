"""What staging trusts when a lifecycle rule expires staged content."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

from aws_sagemaker_remote.s3.lifecycle import is_fresh, marker_key, trust_window


def headers(age: timedelta) -> dict:
    return {"last-modified": format_datetime(datetime.now(timezone.utc) - age, usegmt=True)}


def test_without_a_rule_everything_is_trusted():
    assert trust_window(None) is None
    assert is_fresh(headers(timedelta(days=400)), None)


def test_with_a_rule_content_is_trusted_until_a_day_before_it_expires():
    window = trust_window(b'{"days": 30}')
    assert window == timedelta(days=29)
    assert is_fresh(headers(timedelta(days=28)), window)
    assert not is_fresh(headers(timedelta(days=29, hours=1)), window)


def test_an_unreadable_marker_trusts_nothing_old():
    window = trust_window(b"not json")
    assert not is_fresh(headers(timedelta(seconds=5)), window)
    assert not is_fresh({}, trust_window(b'{"days": 30}'))


def test_the_marker_sits_at_the_top_of_the_prefix():
    assert marker_key("aws-sagemaker-remote") == "aws-sagemaker-remote/lifecycle.json"
    assert marker_key("/a/b/") == "a/b/lifecycle.json"
    assert marker_key("") == "lifecycle.json"
