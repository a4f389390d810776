"""A small local package shipped with the job as a module."""

from .counting import count_words, read_texts

__all__ = ["count_words", "read_texts"]
