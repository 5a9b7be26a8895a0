"""Reference data: categories, documents, ports, queues, routing rules, reason codes."""
