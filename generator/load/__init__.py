"""The load stage: files to a typed, checked Site (positions, models, data checks)."""
