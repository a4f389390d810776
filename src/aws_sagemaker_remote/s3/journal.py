"""What a submit has sent so far, so that the next one after a kill or Ctrl-C resumes instead of
starting again (docs/staging.md, "Resuming").

Every JOURNAL_EVERY verified uploads (and when the run stops), the contents sent since the last
segment are written as a segment `records/partial/<lease>-<n>.json`, in the record format. A
segment, like a record, lists only objects that are in objects/ with the checksum that was sent,
so a later submit may take it as knowledge (naming it in its lease first, as it does records), and
prune keeps it, and what it lists, as long as it keeps a record. A submit that commits deletes
its own segments: its records list those contents now.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Dict, List, Optional, Tuple

from .digest import FileDigest, bytes_digest
from .manifest import Row, record_bytes
from .ops import Op, expect_owner, put_op
from .senders import run_all
from .store import Store

JOURNAL_EVERY = 1000
RESUMED_JOURNALS = 3  # the most recent other journals read when something is to be sent


SEGMENT = "journal segment"  # the tag of a segment's PutObject among the uploads


class Journal:
    def __init__(self, sender: Any, store: Store, lease: str, owners: Dict[str, str]):
        self.sender = sender
        self.store = store
        self.lease = lease
        self.owners = owners
        self.pending: List[Tuple[str, FileDigest, int]] = []
        self.written: List[str] = []  # keys of the segments sent
        self.lock = threading.Lock()

    def sent(self, sha: str, digest: FileDigest, written: int) -> None:
        """An object is in S3 with its checksum verified (any thread)."""
        with self.lock:
            self.pending.append((sha, digest, written))

    def due(self) -> Optional[Op]:
        """A segment's PutObject once JOURNAL_EVERY contents wait for one: sent among the
        uploads, so that writing the journal never holds them up."""
        with self.lock:
            if len(self.pending) < JOURNAL_EVERY:
                return None
        return self._segment()

    def flush(self) -> None:
        op = self._segment()
        if op is not None:
            run_all(self.sender, [op])

    def _segment(self) -> Optional[Op]:
        with self.lock:
            rows, self.pending = self.pending, []
            if not rows:
                return None
            key = self.store.journal_key(f"{self.lease}-{len(self.written)}")
            self.written.append(key)
        body = record_bytes(Row(sha, digest, written) for sha, digest, written in rows)
        op = put_op(body, self.store.bucket, key, bytes_digest(body).crc64)
        op.tag, op.quiet = SEGMENT, True
        return expect_owner(op, self.owners)

    def keep(self) -> None:
        """The run stops before its commit: what it sent stays known (best effort)."""
        with contextlib.suppress(Exception):
            self.flush()

    def drop(self, s3: Any) -> None:
        """Committed: the records list these contents now (one DeleteObjects for all segments:
        a first submit of 100,000 files leaves a hundred)."""
        from .transfer import delete_keys

        with contextlib.suppress(Exception):
            delete_keys(s3, self.store.bucket, self.written, owner=self.store.owner or None)
