"""A record another submit rewrites while it is read answers 412 (the If-Match of its ranged
parts): staging reads it again rather than failing the submit; other errors still fail it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aws_sagemaker_remote.s3 import staging
from aws_sagemaker_remote.s3.ops import S3RequestError
from aws_sagemaker_remote.s3.store import Store


class FlakySender:
    """Fails the first `failures` runs with `status`, then answers every GET."""

    def __init__(self, failures: int, status: int):
        self.failures, self.status, self.runs = failures, status, 0

    def run(self, ops, progress=None, on_done=None):
        self.runs += 1
        if self.runs <= self.failures:
            raise S3RequestError("GetObject failed", "PreconditionFailed", self.status)
        for op in ops:
            op.status = 200


def reader(sender) -> SimpleNamespace:
    run = SimpleNamespace(store=Store("b", "p/"), sender=sender, owners={})
    run._own = lambda op: op
    return run


def test_a_record_rewritten_while_read_is_read_again(tmp_path):
    sender = FlakySender(failures=2, status=412)
    ops = staging._Run._read_records(reader(sender), ["inputs/data-1"], str(tmp_path))
    assert sender.runs == 3
    assert [op.status for op in ops] == [200]


def test_reads_stop_after_three_412s_and_other_errors_at_once(tmp_path):
    sender = FlakySender(failures=5, status=412)
    with pytest.raises(S3RequestError):
        staging._Run._read_records(reader(sender), ["inputs/data-1"], str(tmp_path))
    assert sender.runs == staging.RECORD_READS
    denied = FlakySender(failures=1, status=403)
    with pytest.raises(S3RequestError):
        staging._Run._read_records(reader(denied), ["inputs/data-1"], str(tmp_path))
    assert denied.runs == 1
