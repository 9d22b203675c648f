"""HTTP and WebSocket routes of the desk, one module per audience (shopper, agent, dashboard)."""
