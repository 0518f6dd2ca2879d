"""What every stage shares: the build context, the cache, worker pools."""
