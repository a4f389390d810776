"""A kind's `sagemaker_*_args` knows which keywords the script passed, not only their values:
a keyword passed with the built-in default's value (`volume_size=30`) still beats a
configuration file, so the keywords themselves are recorded rather than compared with the
defaults."""

from __future__ import annotations

import functools

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, FrozenSet


def keyword_builder(
    build: Callable[[Dict[str, Any], FrozenSet[str]], Any],
) -> Callable[[Callable[..., Dict[str, Any]]], Callable[..., Any]]:
    """Decorate a function whose signature and docstring are a kind's public
    `sagemaker_*_args` and whose body returns its keywords (`dict(locals())`): the public
    function binds the caller's arguments as Python does, then returns
    `build(keywords, names the caller passed)`."""

    def decorate(signature: Callable[..., Dict[str, Any]]) -> Callable[..., Any]:
        code = signature.__code__
        positional = code.co_varnames[: code.co_argcount]

        @functools.wraps(signature)
        def builder(*args: Any, **kwargs: Any) -> Any:
            values = signature(*args, **kwargs)
            return build(values, frozenset(positional[: len(args)]).union(kwargs))

        return builder

    return decorate
