"""The site stage: theme chain and Jinja, the page plan, search, feeds and datasets."""
