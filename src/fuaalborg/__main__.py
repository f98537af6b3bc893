"""``python -m fuaalborg``: the command line, as the ``fuaalborg`` command."""

from fuaalborg.cli import main

if __name__ == "__main__":  # pragma: no cover - run as a module
    main(prog_name="fuaalborg")
