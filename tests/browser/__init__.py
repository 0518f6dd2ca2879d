"""Browser tests; a package so its conftest does not replace tests/conftest.py as `conftest`."""
