"""Starting projects and conferences from commented templates that build at once.

The templates are files of the package (``scaffold/templates/``): ``site.yaml`` and
``gitignore`` for ``proceedings init``, ``conference.yaml`` and ``narrative.md`` for
``proceedings new``.
"""
