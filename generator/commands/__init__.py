"""The ``proceedings`` command line: click commands only, one module per family."""
