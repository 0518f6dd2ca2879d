"""The live preview: build into .preview/, serve it, rebuild and reload on save."""
