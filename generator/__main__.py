"""Run the command-line interface as ``python -m generator``."""

from generator.commands.main import main

main()
