"""The test suite: a package, so that shared helpers import by one name (tests.policy)."""
