"""HTTP routers, one module per area; ``service.api`` includes them."""
