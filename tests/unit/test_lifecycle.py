"""What staging relies on as it is when a lifecycle rule expires staged content."""

from __future__ import annotations

from datetime import timedelta

from aws_sagemaker_remote.s3.lifecycle import marker_key, renew_window


def test_without_a_rule_nothing_is_renewed():
    assert renew_window(None) is None


def test_with_a_rule_what_is_older_than_a_quarter_of_its_days_is_renewed():
    """A record is relied on while younger than N/4 days and lists objects written at most
    N/4 days before it: whatever a submit uses lives at least N/2 days past it."""
    assert renew_window(b'{"days": 30}') == timedelta(days=7.5)
    assert renew_window(b'{"days": 2}') == timedelta(days=0.5)


def test_an_unreadable_marker_renews_everything():
    assert renew_window(b"not json") == timedelta(0)
    assert renew_window(b'{"weeks": 2}') == timedelta(0)


def test_the_marker_sits_at_the_top_of_the_prefix():
    assert marker_key("aws-sagemaker-remote") == "aws-sagemaker-remote/lifecycle.json"
    assert marker_key("/a/b/") == "a/b/lifecycle.json"
    assert marker_key("") == "lifecycle.json"
