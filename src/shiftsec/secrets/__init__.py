"""Secret detection: rules as data, a linear-time matching engine, and redaction that never leaks a value."""
