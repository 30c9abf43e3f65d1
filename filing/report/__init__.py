"""The quarterly report (季度通报): pure computation, loaders and renderers."""
