"""The change feed: what changed, in commit order, as far as the caller may see."""
