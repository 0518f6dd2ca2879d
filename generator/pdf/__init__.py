"""The PDF stage: briefs rendered by WeasyPrint in workers, from project files only."""
