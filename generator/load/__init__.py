"""The load stage: files to a typed, checked Site (YAML with positions, models, data checks)."""
