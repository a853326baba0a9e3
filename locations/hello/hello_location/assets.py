"""Three small assets: a greeting, its words, and a count of them."""

import headwater as dg


@dg.asset(group_name="hello")
def greeting() -> str:
    """The text everything else is derived from."""
    return "hello from headwater"


@dg.asset(group_name="hello")
def words(greeting: str) -> list[str]:
    """The greeting split into words."""
    return greeting.split()


@dg.asset(group_name="hello")
def word_count(words: list[str]) -> int:
    """How many words the greeting has."""
    return len(words)
