"""The build: stages in order through one context, the output record, publishing.

Kept light: the CLI imports ``generator.build.stamp`` before anything heavy.
"""
