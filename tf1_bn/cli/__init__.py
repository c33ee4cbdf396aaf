"""The `tf1-bn` command line: `main.py` builds the parser; each subcommand lives in its own module here."""
