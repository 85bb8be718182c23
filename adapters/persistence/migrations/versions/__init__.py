"""Migration revisions (a package, so installed wheels carry them)."""
