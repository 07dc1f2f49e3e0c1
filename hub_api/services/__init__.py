"""Business rules: functions that take plain data, check it, flush, and never commit."""
