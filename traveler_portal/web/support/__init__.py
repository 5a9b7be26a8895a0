"""What the audiences' views share: error pages, response headers, template helpers, the
petition page's building blocks, streaming stored files, charts, permissions, sessions."""
