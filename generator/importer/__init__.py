"""``proceedings import``: merge a sheet of indicators into ``data/<slug>.yaml``.

A pipeline of its own, one module per step (docs/import.md):

    sheets.py    .xlsx, .ods, .csv -> a Sheet of typed cells, each with its position
    columns.py   the heading row -> the field each column fills (English or Vietnamese)
    cells.py     one cell -> a number, text, yes/no or choice, read the Vietnamese way
    rows.py      one row -> an indicator mapping checked with ``generator.model``
    merge.py     indicators -> the data file, edited round-trip (comments survive)
    verify.py    the merged file must still load with the project's loader
    run.py       the steps in order: every problem of the sheet, then stop
    template.py  an empty sheet with the headings, an example row and notes
    command.py   the click command

Nothing here is imported by ``proceedings --help``: the spreadsheet and YAML
libraries load only when the command runs.
"""
