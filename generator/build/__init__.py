"""The build: the stages in order through one context, the output record, atomic publish.

Kept light: the CLI imports ``generator.build.stamp`` before anything heavy."""
