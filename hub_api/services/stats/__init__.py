"""Statistics for dashboards: counts and rates computed in SQL, then small cells suppressed."""
