import re
from collections import Counter
from pathlib import Path
from typing import Iterable

WORD = re.compile(r"[a-z']+")


def read_texts(folder) -> Iterable[str]:
    for path in sorted(Path(folder).rglob("*.txt")):
        yield path.read_text(encoding="utf-8")


def count_words(texts: Iterable[str], min_length: int = 1) -> Counter:
    counts: Counter = Counter()
    for text in texts:
        counts.update(w.strip("'") for w in WORD.findall(text.lower()) if len(w) >= min_length)
    return counts
