"""``python -m dawkit``: the command line, for places that know the interpreter but not the
``dawkit`` script (git drivers and hooks run from a virtualenv)."""

from dawkit.cli import main

main()
