"""Starting projects and conferences from commented templates that build at once."""
