"""The documentation's Python files are not tests: keep pytest from collecting them."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_ext/*", "_build/*"]
