"""The live preview: build into .preview/, serve it, rebuild and reload pages on save."""
